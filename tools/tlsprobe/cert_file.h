// cert_file.h: tlsprobe --cert-file: the certificate checks of a probe
// applied to a PEM chain on disk, for deploy pipelines that want to know
// before the server has it: each certificate described as a probe describes
// it, the chain verified (system bundle or --ca-file; --servername's name or
// IP matched against the leaf's SANs), the order checked (each certificate
// issued by the next), then --min-days-left and --min-key-bits.
//
// Threads: any thread.
#ifndef IPCKIT_TOOLS_TLSPROBE_CERT_FILE_H_
#define IPCKIT_TOOLS_TLSPROBE_CERT_FILE_H_

#include <string>

#include "tools/tlsprobe/probe.h"

namespace ipckit::tlsprobe {

// CheckCertFile returns the result for the chain in `path` (leaf first): exit
// 1 with error stage "file" when it cannot be read or holds no certificate
// ("open x.pem: No such file or directory", "x.pem: no PEM certificate in
// it"); verification failures are recorded as a probe's are (exit 6 unless
// options.tls.verify is false); a chain out of order is a failed check
// "chain-order: certificate 1 (CN=b) did not issue certificate 0 (issuer
// CN=a)" (exit 7).
ProbeResult CheckCertFile(const std::string& path, const ProbeOptions& options);

}  // namespace ipckit::tlsprobe

#endif  // IPCKIT_TOOLS_TLSPROBE_CERT_FILE_H_
