// `npm test` runs this first: it installs the Debian packages some tests use when they are
// missing and this user may (root with apt-get), and says so in one line. The packages:
//   libsecret-1-0                              the real AzCopy (the differential tests' oracle)
//   dbus-daemon gnome-keyring libsecret-tools  a Secret Service for the login store tests
//   keyutils                                   the kernel keyring login store (keyctl)
//   chromium                                   a real browser approves the device code sign-in
//   openssl                                    PFX files as OpenSSL 3 writes them
//   tinyproxy                                  a real HTTP proxy (HTTPS_PROXY tests)
import { execFileSync, spawnSync } from "node:child_process";

const PACKAGES = [
  "libsecret-1-0",
  "dbus-daemon",
  "gnome-keyring",
  "libsecret-tools",
  "keyutils",
  "chromium",
  "openssl",
  "tinyproxy",
];

function installed(name) {
  // dpkg-query's own format field, not a template.
  const format = ["-f=$", "{Status}"].join("");
  const result = spawnSync("dpkg-query", ["-W", format, name], { encoding: "utf8" });
  return result.status === 0 && result.stdout.includes("install ok installed");
}

if (process.platform === "linux" && spawnSync("dpkg-query", ["--version"]).status === 0) {
  const missing = PACKAGES.filter((name) => !installed(name));
  if (missing.length === 0) {
    // Nothing to do.
  } else if (process.getuid?.() === 0 && spawnSync("apt-get", ["--version"]).status === 0) {
    console.log(`Installing the Debian packages the tests use: ${missing.join(" ")}`);
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    execFileSync("apt-get", ["update", "-qq"], { stdio: ["ignore", "ignore", "inherit"], env });
    execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...missing], {
      stdio: ["ignore", "ignore", "inherit"],
      env,
    });
  } else {
    console.log(
      `The tests use these Debian packages, which are missing and cannot be installed by this user: ${missing.join(" ")} (sudo apt-get install ${missing.join(" ")}).`,
    );
  }
}
