/**
 * Minimal types for esdk-obs-nodejs 3.26.8 (the package ships none): what a snapshot store needs.
 * Shapes checked by experiment against s3rver 3.7.1 and by reading node_modules/esdk-obs-nodejs/lib.
 *
 * - The constructor initialises asynchronously: await one `setImmediate` before the first call.
 * - Calls never reject on HTTP errors: read `CommonMsg.Status` / `CommonMsg.Code`. On an error
 *   the result has no top-level `InterfaceResult`. They reject (with an `Error`) on network
 *   failures, after `max_retry_count` retries (default 3), and on invalid parameters.
 * - Numbers and booleans in results are strings (`Size`, `MaxKeys`, `IsTruncated: 'true'`).
 * - `copyObject` URL-encodes `CopySource` itself and overwrites the field on the param object:
 *   pass `bucket/key` unencoded and never reuse that object for a retry.
 * - Nothing is logged unless `initLog()` is called (not typed here on purpose).
 */
declare module 'esdk-obs-nodejs' {
  namespace ObsClient {
    interface Options {
      access_key_id: string;
      secret_access_key: string;
      security_token?: string;
      /** `https://obs.{region}.myhuaweicloud.com`, or `http://127.0.0.1:PORT` (an IP forces path style). */
      server: string;
      path_style?: boolean;
      /** Seconds per request (default 60). */
      timeout?: number;
      /** Retries on network errors (default 3). */
      max_retry_count?: number;
      /** 'obs' (default), 'v2' or 'v4'; path style turns 'obs' into 'v2'. */
      signature?: 'obs' | 'v2' | 'v4';
      /**
       * Default true (off with path style): before its first request to a bucket the client asks the
       * server which protocol it speaks (a HEAD `?apiversion` request), and picks the signature.
       */
      is_signature_negotiation?: boolean;
      /** Agents for http:// and https:// endpoints (default: none, a socket per request). */
      http_agent?: import('node:http').Agent;
      https_agent?: import('node:https').Agent;
    }

    interface CommonMsg {
      Status: number;
      /** '' on success; e.g. 'NoSuchKey', 'NoSuchBucket', 'InvalidAccessKeyId'. '' on a HEAD error. */
      Code: string;
      Message: string;
      HostId?: string;
      RequestId?: string;
    }

    interface Result<T> {
      CommonMsg: CommonMsg;
      /** Present when the request succeeded (Status < 300). */
      InterfaceResult?: T;
    }

    interface ResponseHeaders {
      RequestId?: string;
      Date?: string;
      ContentLength?: string;
    }

    interface PutObjectInput {
      Bucket: string;
      Key: string;
      /** A Readable is piped to the request (give ContentLength); a string or Buffer is sent as one string. */
      Body: string | Buffer | import('node:stream').Readable;
      ContentLength?: string;
      ContentType?: string;
      Metadata?: Record<string, string>;
    }
    interface PutObjectOutput extends ResponseHeaders {
      ETag: string;
      VersionId?: string;
    }

    interface ObjectInput {
      Bucket: string;
      Key: string;
    }
    interface GetObjectOutput extends ResponseHeaders {
      /** The body decoded as UTF-8. */
      Content: string;
      ContentType?: string;
      ETag: string;
      LastModified: string;
      Metadata: Record<string, string>;
    }
    /** `SaveAsStream: true`: the body is not read; a 2xx answer's `Content` is the response stream. */
    interface GetObjectStreamOutput extends Omit<GetObjectOutput, 'Content'> {
      Content: import('node:stream').Readable;
    }

    interface ListObjectsInput {
      Bucket: string;
      Prefix?: string;
      Marker?: string;
      /** At most 1000. */
      MaxKeys?: number;
      Delimiter?: string;
    }
    interface ListedObject {
      Key: string;
      LastModified: string;
      ETag: string;
      Size: string;
      StorageClass?: string;
    }
    interface ListObjectsOutput extends ResponseHeaders {
      Bucket: string;
      Prefix: string;
      Marker: string;
      /** May be '' while truncated (s3rver without Delimiter): continue after the last Key. */
      NextMarker: string;
      MaxKeys: string;
      /** 'true' or 'false'. */
      IsTruncated: string;
      Contents: ListedObject[];
      CommonPrefixes: { Prefix: string }[];
    }

    interface CopyObjectInput {
      Bucket: string;
      Key: string;
      /** `sourceBucket/sourceKey`, unencoded (the client encodes it). */
      CopySource: string;
    }
    interface CopyObjectOutput extends ResponseHeaders {
      ETag: string;
      LastModified: string;
      VersionId?: string;
    }

    interface DeleteObjectOutput extends ResponseHeaders {
      VersionId?: string;
      DeleteMarker?: string;
    }
  }

  class ObsClient {
    constructor(options: ObsClient.Options);
    putObject(input: ObsClient.PutObjectInput): Promise<ObsClient.Result<ObsClient.PutObjectOutput>>;
    getObject(input: ObsClient.ObjectInput & { SaveAsStream: true }): Promise<ObsClient.Result<ObsClient.GetObjectStreamOutput>>;
    getObject(input: ObsClient.ObjectInput): Promise<ObsClient.Result<ObsClient.GetObjectOutput>>;
    listObjects(input: ObsClient.ListObjectsInput): Promise<ObsClient.Result<ObsClient.ListObjectsOutput>>;
    copyObject(input: ObsClient.CopyObjectInput): Promise<ObsClient.Result<ObsClient.CopyObjectOutput>>;
    headBucket(input: { Bucket: string }): Promise<ObsClient.Result<ObsClient.ResponseHeaders>>;
    /** HEAD: 404 with an empty `Code` when the key does not exist. */
    getObjectMetadata(input: ObsClient.ObjectInput): Promise<ObsClient.Result<ObsClient.ResponseHeaders & { ETag: string }>>;
    /** 204 even when the key does not exist. */
    deleteObject(input: ObsClient.ObjectInput): Promise<ObsClient.Result<ObsClient.DeleteObjectOutput>>;
    /** Drops the client's agents; further calls fail. */
    close(): void;
  }

  export = ObsClient;
}
