// The services' errors: code, status and message as the real services send them, and the two body
// formats (Files and the Blob endpoint answer XML, the dfs endpoint answers JSON).
// Codes and messages: https://learn.microsoft.com/en-us/rest/api/storageservices/common-rest-api-error-codes
// https://learn.microsoft.com/en-us/rest/api/storageservices/file-service-error-codes
// https://learn.microsoft.com/en-us/rest/api/storageservices/blob-service-error-codes
// and, for Data Lake, the error list on each page of
// https://learn.microsoft.com/en-us/rest/api/storageservices/datalakestoragegen2/path/update
// Where a page paraphrases, the text is the one the services put on the wire (as quoted in SDK
// issues), e.g. MissingRequiredHeader's.

export class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra elements of the XML error (AuthenticationErrorDetail, HeaderName, ...). */
    readonly details: Record<string, string> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const AUTH_HEADER_MESSAGE =
  "Server failed to authenticate the request. Please refer to the information in the www-authenticate header.";

const COMMON: Record<string, [number, string]> = {
  AuthenticationFailed: [
    403,
    "Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.",
  ],
  InvalidAuthenticationInfo: [401, AUTH_HEADER_MESSAGE],
  NoAuthenticationInformation: [401, AUTH_HEADER_MESSAGE],
  AuthorizationPermissionMismatch: [
    403,
    "This request is not authorized to perform this operation using this permission.",
  ],
  AuthorizationServiceMismatch: [
    403,
    "This request is not authorized to perform this operation using this service.",
  ],
  AuthorizationResourceTypeMismatch: [
    403,
    "This request is not authorized to perform this operation using this resource type.",
  ],
  AuthorizationProtocolMismatch: [
    403,
    "This request is not authorized to perform this operation using this protocol.",
  ],
  AuthorizationSourceIPMismatch: [
    403,
    "This request is not authorized to perform this operation using this source IP {SourceIP}.",
  ],
  MissingRequiredHeader: [400, "An HTTP header that's mandatory for this request is not specified."],
  InvalidHeaderValue: [400, "The value for one of the HTTP headers is not in the correct format."],
  MissingRequiredQueryParameter: [
    400,
    "A query parameter that's mandatory for this request is not specified.",
  ],
  InvalidQueryParameterValue: [
    400,
    "Value for one of the query parameters specified in the request URI is invalid.",
  ],
  OutOfRangeQueryParameterValue: [
    400,
    "One of the query parameters specified in the request URI is outside the permissible range.",
  ],
  UnsupportedHeader: [400, "One of the headers specified in the request is not supported."],
  InvalidInput: [400, "One of the request inputs is not valid."],
  OutOfRangeInput: [400, "One of the request inputs is out of range."],
  InvalidUri: [400, "The requested URI does not represent any resource on the server."],
  InvalidResourceName: [400, "The specified resource name contains invalid characters."],
  InvalidMd5: [
    400,
    "The MD5 value specified in the request is invalid. The MD5 value must be 128 bits and Base64-encoded.",
  ],
  Md5Mismatch: [
    400,
    "The MD5 value specified in the request did not match with the MD5 value calculated by the server.",
  ],
  InvalidRange: [416, "The range specified is invalid for the current size of the resource."],
  RequestBodyTooLarge: [413, "The request body is too large and exceeds the maximum permissible limit."],
  ResourceNotFound: [404, "The specified resource does not exist."],
  ResourceAlreadyExists: [409, "The specified resource already exists."],
  ResourceTypeMismatch: [
    409,
    "The specified resource type does not match the type of the existing resource.",
  ],
  ConditionNotMet: [412, "The condition specified using HTTP conditional header(s) is not met."],
  UnsupportedHttpVerb: [405, "The resource doesn't support the specified HTTP verb."],
  CannotVerifyCopySource: [404, "Could not verify the copy source within the specified time."],
  ContainerAlreadyExists: [409, "The specified container already exists."],
  ContainerNotFound: [404, "The specified container does not exist."],
  BlobNotFound: [404, "The specified blob does not exist."],
};

const FILES: Record<string, [number, string]> = {
  ShareAlreadyExists: [409, "The specified share already exists."],
  ShareNotFound: [404, "The specified share does not exist."],
  ParentNotFound: [404, "The specified parent path does not exist."],
  DirectoryNotEmpty: [409, "The specified directory is not empty."],
  InvalidFileOrDirectoryPathName: [400, "File or directory path is too long."],
  ReadOnlyAttribute: [409, "The specified resource is read-only and cannot be modified at this time."],
};

const DATA_LAKE: Record<string, [number, string]> = {
  FilesystemAlreadyExists: [409, "The specified filesystem already exists."],
  FilesystemNotFound: [404, "The specified filesystem does not exist."],
  PathNotFound: [404, "The specified path does not exist."],
  PathAlreadyExists: [409, "The specified path already exists."],
  PathConflict: [
    409,
    "The specified path, or an element of the path, exists and its resource type is invalid for this operation.",
  ],
  DirectoryNotEmpty: [
    409,
    "The recursive query parameter value must be true to delete a non-empty directory.",
  ],
  InvalidFlushPosition: [
    400,
    "The uploaded data is not contiguous or the position query parameter value is not equal to the length of the file after appending the uploaded data.",
  ],
  ContentLengthMustBeZero: [400, "The Content-Length request header must be zero."],
  ResourceTypeMismatch: [
    409,
    "The resource type specified in the request does not match the type of the resource.",
  ],
  // Path - Create with x-ms-rename-source (the error list of
  // https://learn.microsoft.com/en-us/rest/api/storageservices/datalakestoragegen2/path/create).
  InvalidSourceUri: [400, "The source URI is invalid."],
  SourcePathNotFound: [404, "The source path for a rename operation does not exist."],
  RenameDestinationParentPathNotFound: [404, "The parent directory of the destination path does not exist."],
  InvalidRenameSourcePath: [
    409,
    "The source directory cannot be the same as the destination directory, nor can the destination be a subdirectory of the source directory.",
  ],
  InvalidSourceOrDestinationResourceType: [
    409,
    "The source and destination resource type must be identical.",
  ],
  SourceConditionNotMet: [412, "The source condition specified using HTTP conditional header(s) is not met."],
};

function make(
  table: Record<string, [number, string]>,
  code: string,
  details?: Record<string, string>,
  headers?: Record<string, string>,
): ServiceError {
  const known = table[code] ?? COMMON[code];
  if (!known) throw new Error(`no message for error code ${code}`);
  return new ServiceError(known[0], code, known[1], details, headers);
}

export function filesError(code: string, details?: Record<string, string>, headers?: Record<string, string>) {
  return make(FILES, code, details, headers);
}

export function dfsError(code: string, details?: Record<string, string>, headers?: Record<string, string>) {
  return make(DATA_LAKE, code, details, headers);
}

/** The same error with another status (a code some services send with two statuses). */
export function withStatus(error: ServiceError, status: number): ServiceError {
  return new ServiceError(status, error.code, error.message, error.details, error.headers);
}

/** An operation this test server does not emulate: loud, so that a test never passes on a stub. */
export function notEmulated(what: string): ServiceError {
  return new ServiceError(501, "NotImplemented", `The azcp test server does not emulate ${what}.`);
}

const XML_ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" };

/** Escapes text for an XML element or a double-quoted attribute (apostrophes stay as they are). */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => XML_ENTITIES[c]!);
}

/** "2023-05-18T11:31:06.6647323Z": the services' 7-digit fractional seconds. */
export function serviceTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, ".$10000Z");
}

function fullMessage(error: ServiceError, requestId: string): string {
  return `${error.message}\nRequestId:${requestId}\nTime:${serviceTime(new Date())}`;
}

export function xmlErrorBody(error: ServiceError, requestId: string): string {
  const details = Object.entries(error.details)
    .map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`)
    .join("");
  return `<?xml version="1.0" encoding="utf-8"?><Error><Code>${error.code}</Code><Message>${escapeXml(fullMessage(error, requestId))}</Message>${details}</Error>`;
}

export function jsonErrorBody(error: ServiceError, requestId: string): string {
  return JSON.stringify({ error: { code: error.code, message: fullMessage(error, requestId) } });
}
