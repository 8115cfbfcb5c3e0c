// The document store on AWS: one S3 object per document in the documents bucket (SSE, no public access,
// TLS only: lib/storage/documents-bucket.ts). Download links are presigned GETs valid for 15 minutes,
// so a channel fetches the PDF from S3 directly without AWS credentials of its own.
import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type { DocumentStore } from "../../usecases/ports.ts";

export const DOWNLOAD_LINK_SECONDS = 15 * 60;

export class S3DocumentStore implements DocumentStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucketName: string,
  ) {}

  async put(key: string, body: Uint8Array, contentType: string): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({ Bucket: this.bucketName, Key: key, Body: body, ContentType: contentType }),
    );
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      const res = await this.s3.send(new GetObjectCommand({ Bucket: this.bucketName, Key: key }));
      return res.Body ? await res.Body.transformToByteArray() : undefined;
    } catch (error) {
      if (error instanceof NoSuchKey || (error as Error).name === "NoSuchKey") return undefined;
      throw error;
    }
  }

  async downloadUrl(key: string, fileName: string): Promise<string> {
    const command = new GetObjectCommand({
      Bucket: this.bucketName,
      Key: key,
      ResponseContentDisposition: `inline; filename="${fileName}"`,
    });
    return getSignedUrl(this.s3, command, { expiresIn: DOWNLOAD_LINK_SECONDS });
  }
}
