// The order documents' bucket: S3-managed encryption, all public access blocked, TLS-only (bucket policy),
// objects owned by the bucket owner (no ACLs), versioned so an overwrite never loses a document, retained
// with the stack (documents are records of business). Grants name exact actions on the documents' prefix.
import { RemovalPolicy, Validations } from "aws-cdk-lib";
import { Effect, type IGrantable, PolicyStatement } from "aws-cdk-lib/aws-iam";
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";

export type DocumentAccess = "read" | "readWrite";

/** Every document key starts with this prefix (usecases/documents.ts: orders/<orderId>/...). */
export const DOCUMENT_KEY_PREFIX = "orders/";

export class DocumentsBucket extends Construct {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.bucket = new Bucket(this, "Bucket", {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.bucket).acknowledge({
      id: "AwsSolutions-S1",
      reason:
        "Objects are written only by the documents workflow step and read by two API functions, all traced in CloudTrail/X-Ray; server access logs would need a second bucket for no additional audit value here",
    });
  }

  get bucketName(): string {
    return this.bucket.bucketName;
  }

  /** s3:GetObject (read) and s3:PutObject (readWrite) on the document keys, nothing else. */
  grantAccess(grantee: IGrantable, access: DocumentAccess): void {
    const actions = access === "readWrite" ? ["s3:GetObject", "s3:PutObject"] : ["s3:GetObject"];
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions,
        resources: [this.bucket.arnForObjects(`${DOCUMENT_KEY_PREFIX}*`)],
      }),
    );
  }
}
