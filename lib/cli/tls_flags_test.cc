#include "lib/cli/tls_flags.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "lib/testing/argv.h"
#include "lib/testing/status_matchers.h"

namespace ipckit::cli {
namespace {

using ::ipckit::testing::IsOk;
using ::ipckit::testing::StatusIs;

// Parsed declares `group` on a fresh parser and parses `args` into it.
template <typename Group>
void Parse(Group& group, std::vector<std::string> args) {
  ASSERT_THAT(testing::ParseArgv([&](Parser& p) { group.Declare(p); }, std::move(args)), IsOk());
}

TEST(TlsServerFlagsTest, ValidatesIntoServerOptionsWithoutOpeningFiles) {
  TlsServerFlags f(TlsServerFlags::kIpckit);
  Parse(f, {"--cert", "/nonexistent/c.pem", "--key", "/nonexistent/k.pem", "--alpn", "h2,http/1.1", "--tls-legacy"});
  absl::StatusOr<std::optional<tls::TlsOptions>> t = f.Validate(true, "--tls");
  ASSERT_THAT(t, IsOk());
  ASSERT_TRUE(t->has_value());
  EXPECT_EQ((*t)->cert_file, "/nonexistent/c.pem");
  EXPECT_EQ((*t)->key_file, "/nonexistent/k.pem");
  EXPECT_EQ((*t)->alpn, (std::vector<std::string>{"h2", "http/1.1"}));
  EXPECT_TRUE((*t)->legacy);
}

TEST(TlsServerFlagsTest, OneSetOfMessagesInEachToolsSpelling) {
  TlsServerFlags none(TlsServerFlags::kIpckit);
  Parse(none, {});
  EXPECT_THAT(none.Validate(false, "--tls"), IsOk());
  EXPECT_THAT(none.Validate(true, "--tls"),
              StatusIs(absl::StatusCode::kInvalidArgument, "a TLS listener needs --cert and --key"));
  TlsServerFlags stray(TlsServerFlags::kIpckit);
  Parse(stray, {"--alpn", "h2"});
  EXPECT_THAT(stray.Validate(false, "a tls: FROM"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "--cert, --key, --client-ca, --alpn and --tls-legacy need a TLS listener (a tls: FROM)"));
  TlsServerFlags nc(TlsServerFlags::kNcat);
  Parse(nc, {"--ssl-cert", "c.pem"});
  EXPECT_THAT(nc.Validate(true, "-l --ssl"),
              StatusIs(absl::StatusCode::kInvalidArgument, "a TLS listener needs --ssl-cert and --ssl-key"));
  EXPECT_THAT(nc.ClientCertificate("-l"),
              StatusIs(absl::StatusCode::kInvalidArgument, "--ssl-cert and --ssl-key go together"));
  TlsServerFlags alpn(TlsServerFlags::kNcat);
  Parse(alpn, {"--ssl-alpn", "h2,,x"});
  EXPECT_THAT(alpn.ClientCertificate("-l"),
              StatusIs(absl::StatusCode::kInvalidArgument, "--ssl-alpn: each protocol must be 1 to 255 bytes"));
  TlsServerFlags server_only(TlsServerFlags::kNcat);
  Parse(server_only, {"--ssl-legacy"});
  EXPECT_THAT(server_only.ClientCertificate("-l"),
              StatusIs(absl::StatusCode::kInvalidArgument, "--ssl-verify-client and --ssl-legacy require -l"));
}

TEST(TlsClientFlagsTest, ValidatesPinsAndInsecure) {
  TlsClientFlags f(TlsClientFlags::kIpckit);
  std::string pin = "sha256//" + std::string(43, 'A') + "=";
  Parse(f, {"--ca-file", "ca.pem", "--servername", "example.org", "--pin", pin, "--insecure"});
  absl::StatusOr<TlsClientPlan> p = f.Validate();
  ASSERT_THAT(p, IsOk());
  EXPECT_FALSE(p->options.verify);
  EXPECT_EQ(p->options.ca_file, "ca.pem");
  EXPECT_EQ(p->servername, "example.org");
  EXPECT_EQ(p->pins, std::vector<std::string>{pin});
  TlsClientFlags bad(TlsClientFlags::kNcat);
  Parse(bad, {"--ssl-pin", "md5//x"});
  EXPECT_THAT(bad.Validate(), StatusIs(absl::StatusCode::kInvalidArgument,
                                       "--ssl-pin: want sha256//BASE64 (44 characters), got 'md5//x'"));
  EXPECT_THAT(bad.NotFor("--ssl"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "--ssl-trustfile, --ssl-servername, --ssl-pin and --insecure are for --ssl"));
  TlsClientFlags probe({"ca-file", "servername", nullptr, "insecure", 'k'});
  EXPECT_THAT(probe.NotFor("a TLS TO"),
              StatusIs(absl::StatusCode::kInvalidArgument, "--ca-file, --servername and --insecure are for a TLS TO"));
}

}  // namespace
}  // namespace ipckit::cli
