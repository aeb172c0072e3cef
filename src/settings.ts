// Every environment variable azcp reads, declared once. `azcp env`, validation and the
// library's configuration all come from this table; reading a variable that is not listed
// here does not compile.

export interface EnvironmentSetting {
  readonly name: string;
  readonly help: string;
  /** Shown as REDACTED by `azcp env` unless --show-sensitive. */
  readonly sensitive?: boolean;
  readonly defaultValue?: string;
}

export const ENVIRONMENT = [
  {
    name: "AZCOPY_LOG_LOCATION",
    help: "Folder for job log files (default ~/.azcopy).",
  },
  {
    name: "AZCOPY_JOB_PLAN_LOCATION",
    help: "Folder for job plan files, used to show and resume jobs (default ~/.azcopy/plans).",
  },
  {
    name: "AZCOPY_CONCURRENCY_VALUE",
    help: "How many requests run at once: a number, or AUTO to tune it while the job runs.",
  },
  {
    name: "AZCOPY_CONCURRENT_FILES",
    help: "About how many files are in progress at once.",
  },
  {
    name: "AZCOPY_BUFFER_GB",
    help: "Upper bound, in GB, for memory that holds data between disk and network (decimals allowed).",
  },
  {
    name: "AZCOPY_DISABLE_HIERARCHICAL_SCAN",
    help: "AzCopy's switch between one listing per folder and one flat listing of a Blob source. azcp always lists flat (it is the faster way), so the value changes nothing; it is accepted for scripts that set it.",
  },
  {
    name: "AZCOPY_OAUTH_TOKEN_INFO",
    help: "A token handed over by the program that runs azcp (the Azure CLI, Storage Explorer), as JSON: access_token, expires_on, and what renews it.",
    sensitive: true,
  },
  {
    name: "AZCOPY_CRED_TYPE",
    help: "Force how service locations are authorized: OAuthToken, SharedKey or Anonymous.",
  },
  {
    name: "ACCOUNT_NAME",
    help: "Storage account name for Shared Key authorization (with ACCOUNT_KEY).",
  },
  {
    name: "ACCOUNT_KEY",
    help: "Storage account key for Shared Key authorization (with ACCOUNT_NAME).",
    sensitive: true,
  },
  {
    name: "AZCOPY_USER_AGENT_PREFIX",
    help: "Put before azcp's User-Agent on every request (programs that drive azcp name themselves this way).",
  },
  {
    name: "AZCOPY_AUTO_LOGIN_TYPE",
    help: "Sign in for this command only: DEVICE, MSI, SPN, AZCLI, PSCRED or WORKLOAD.",
  },
  {
    name: "AZCOPY_TENANT_ID",
    help: "Microsoft Entra tenant to sign in to.",
  },
  {
    name: "AZCOPY_ACTIVE_DIRECTORY_ENDPOINT",
    help: "Microsoft Entra authority host, for national clouds (default https://login.microsoftonline.com).",
  },
  {
    name: "AZCOPY_SPA_APPLICATION_ID",
    help: "Application (client) id of the service principal for SPN sign-in.",
  },
  {
    name: "AZCOPY_SPA_CLIENT_SECRET",
    help: "Client secret of the service principal for SPN sign-in.",
    sensitive: true,
  },
  {
    name: "CPK_ENCRYPTION_KEY",
    help: "Customer-provided encryption key (base64 AES-256) for --cpk-by-value.",
    sensitive: true,
  },
  {
    name: "CPK_ENCRYPTION_KEY_SHA256",
    help: "SHA-256 of CPK_ENCRYPTION_KEY (base64), for --cpk-by-value.",
  },
  {
    name: "AZCOPY_SPA_CERT_PATH",
    help: "Certificate (PEM or PFX, with private key) of the service principal for SPN sign-in.",
  },
  {
    name: "AZCOPY_SPA_CERT_PASSWORD",
    help: "Password of the service principal's certificate.",
    sensitive: true,
  },
  {
    name: "AZCOPY_MSI_CLIENT_ID",
    help: "Client id of the user-assigned managed identity for MSI sign-in.",
  },
  {
    name: "AZCOPY_MSI_OBJECT_ID",
    help: "Object id of the user-assigned managed identity for MSI sign-in.",
  },
  {
    name: "AZCOPY_MSI_RESOURCE_STRING",
    help: "Resource id of the user-assigned managed identity for MSI sign-in.",
  },
  {
    name: "AZURE_CLIENT_ID",
    help: "Application id for WORKLOAD sign-in (set by workload identity).",
  },
  {
    name: "AZURE_TENANT_ID",
    help: "Tenant for WORKLOAD sign-in (set by workload identity).",
  },
  {
    name: "AZURE_FEDERATED_TOKEN_FILE",
    help: "File holding the federated token for WORKLOAD sign-in (set by workload identity).",
  },
  {
    name: "AZCP_LOGIN_STORE",
    help: "Where `azcp login` keeps a login: secret-service, file or keyring (default: secret-service when available, else file).",
  },
  {
    name: "AZCOPY_REQUEST_TRY_TIMEOUT",
    help: "Minutes one request may take before it is abandoned and retried (default 2).",
  },
  {
    name: "AZCP_MAX_TRIES",
    help: "Attempts per request before a transfer fails (default 10).",
  },
  {
    name: "AZCP_RETRY_DELAY_MS",
    help: "First wait before a retry, in milliseconds; it doubles each time up to a minute (default 500).",
  },
  {
    name: "AZCP_DOWNLOAD_FSYNC",
    help: "Set to false to skip flushing each downloaded file (and its folder) to disk before it takes its name: faster for many small files, but a power loss may then leave a short file.",
  },
  {
    name: "AZCP_SHARD",
    help: "This machine's share of a job spread over several (as --shard): <index>/<count>, or <count> inside a Kubernetes Indexed Job.",
  },
  {
    name: "AZCP_SHARD_SPLIT_MB",
    help: "With --shard, copies to block blobs of files this large or larger (MiB, default 256) are shared among the shards by block, and committed by the shard that owns the file.",
  },
  {
    name: "AZCP_SHARD_WAIT_SECONDS",
    help: "With --shard, how long the shard that owns a shared file waits for the other shards' blocks before it fails the file (default 600).",
  },
  {
    name: "JOB_COMPLETION_INDEX",
    help: "Set by a Kubernetes Indexed Job in each pod: the shard index when --shard or AZCP_SHARD gives only the count.",
  },
  {
    name: "AZCP_JOB_RETENTION_DAYS",
    help: "Job plans and logs older than this many days are removed when a new job starts (default 30).",
  },
  {
    name: "AZCP_JOB_MAX_MB",
    help: "Job plans and logs beyond this many MB in total are removed, oldest first, when a new job starts (default 512).",
  },
  {
    name: "AWS_ACCESS_KEY_ID",
    help: "The AWS access key ID for an Amazon S3 source (with AWS_SECRET_ACCESS_KEY).",
  },
  {
    name: "AWS_SECRET_ACCESS_KEY",
    help: "The AWS secret access key for an Amazon S3 source.",
    sensitive: true,
  },
  {
    name: "AWS_SESSION_TOKEN",
    help: "The AWS session token, when the S3 access key is temporary.",
    sensitive: true,
  },
  {
    name: "AWS_REGION",
    help: "The region S3 requests are signed for when the URL names none (default us-east-1); an azcp addition for S3-compatible endpoints.",
  },
  {
    name: "GOOGLE_APPLICATION_CREDENTIALS",
    help: "Path of a Google service account's JSON key, for a Google Cloud Storage source.",
  },
  {
    name: "GOOGLE_CLOUD_PROJECT",
    help: "The Google Cloud project whose buckets a copy of a whole Cloud Storage service lists.",
  },
  {
    name: "AZCP_TRUSTED_MICROSOFT_SUFFIXES",
    help: "More host suffixes (semicolon-separated) that may receive Microsoft Entra tokens.",
  },
] as const satisfies readonly EnvironmentSetting[];

export type EnvironmentName = (typeof ENVIRONMENT)[number]["name"];

export type Environment = Readonly<Record<string, string | undefined>>;

/** The value of a declared variable, or undefined when unset or empty. */
export function readSetting(name: EnvironmentName, env: Environment = process.env): string | undefined {
  const value = env[name];
  return value === undefined || value === "" ? undefined : value;
}
