import "../../local/polyfills.ts";
