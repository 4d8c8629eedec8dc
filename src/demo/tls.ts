/**
 * The demo's self-signed certificate and key, for https://127.0.0.1 and https://localhost only.
 * Public on purpose: it protects nothing but the embedded demo on loopback, and the audit of
 * `demo --fixed` trusts it through --ca exactly as a user trusts a staging CA.
 */
export const DEMO_CERT = `-----BEGIN CERTIFICATE-----
MIIB0DCCAXWgAwIBAgIUddMw4xVooAb1+HAsVQPxO+0x1SIwCgYIKoZIzj0EAwIw
LjEsMCoGA1UEAwwjc2Vzc2lvbi1hdWRpdCBkZW1vIChsb2NhbGhvc3Qgb25seSkw
IBcNMjYxMjAzMTYxNTAxWhgPMjEyNjExMDkxNjE1MDFaMC4xLDAqBgNVBAMMI3Nl
c3Npb24tYXVkaXQgZGVtbyAobG9jYWxob3N0IG9ubHkpMFkwEwYHKoZIzj0CAQYI
KoZIzj0DAQcDQgAE39CJ311vZlV/ZHG0P5VSt+PAsG+uA7jA9WA8Kua7QJmEj22i
pUhpITIBgXNlRlN3Lt7IAaZXyhTkMoyeGVvcdKNvMG0wHQYDVR0OBBYEFKNqh8zz
/cMOvQ0peDGtC10Z6mDMMB8GA1UdIwQYMBaAFKNqh8zz/cMOvQ0peDGtC10Z6mDM
MBoGA1UdEQQTMBGHBH8AAAGCCWxvY2FsaG9zdDAPBgNVHRMBAf8EBTADAQH/MAoG
CCqGSM49BAMCA0kAMEYCIQDIBB8KDraGZBBHRjHinGqzAEoTMdzgnyCZFVw8P1xJ
XwIhALCSm/eVTtwtkQNqt7oWsMBXhiK8NJkeAmJVcOP2MHSY
-----END CERTIFICATE-----
`;

export const DEMO_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg0p5ieBjVmplNhunr
cq6rPWdyvZNe+MM6kPrZsqCl4HShRANCAATf0InfXW9mVX9kcbQ/lVK348Cwb64D
uMD1YDwq5rtAmYSPbaKlSGkhMgGBc2VGU3cu3sgBplfKFOQyjJ4ZW9x0
-----END PRIVATE KEY-----
`;
