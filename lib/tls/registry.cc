#include "lib/tls/registry.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/str_format.h"

namespace ipckit::tls {
namespace {

// kSuites: IANA TLS Cipher Suites registry (code, name), OpenSSL's name and
// its make-up as `openssl ciphers -V` prints it (Kx=DH is ephemeral DH).
constexpr SuiteInfo kSuites[] = {
    {0x0000, "TLS_NULL_WITH_NULL_NULL", "NULL-NULL", 0x0300, Kx::kNull, Auth::kNone, Bulk::kNull, 0, Mac::kMd5, false},
    {0x0001, "TLS_RSA_WITH_NULL_MD5", "NULL-MD5", 0x0300, Kx::kRsa, Auth::kRsa, Bulk::kNull, 0, Mac::kMd5, false},
    {0x0002, "TLS_RSA_WITH_NULL_SHA", "NULL-SHA", 0x0300, Kx::kRsa, Auth::kRsa, Bulk::kNull, 0, Mac::kSha1, false},
    {0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5", "EXP-RC4-MD5", 0x0300, Kx::kRsa, Auth::kRsa, Bulk::kRc4, 40, Mac::kMd5, true},
    {0x0004, "TLS_RSA_WITH_RC4_128_MD5", "RC4-MD5", 0x0300, Kx::kRsa, Auth::kRsa, Bulk::kRc4, 128, Mac::kMd5, false},
    {0x0005, "TLS_RSA_WITH_RC4_128_SHA", "RC4-SHA", 0x0300, Kx::kRsa, Auth::kRsa, Bulk::kRc4, 128, Mac::kSha1, false},
    {0x0006, "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5", "EXP-RC2-CBC-MD5", 0x0300, Kx::kRsa, Auth::kRsa, Bulk::kRc2, 40, Mac::kMd5, true},
    {0x0007, "TLS_RSA_WITH_IDEA_CBC_SHA", "IDEA-CBC-SHA", 0x0300, Kx::kRsa, Auth::kRsa, Bulk::kIdea, 128, Mac::kSha1, false},
    {0x0008, "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA", "EXP-DES-CBC-SHA", 0x0300, Kx::kRsa, Auth::kRsa, Bulk::kDes, 40, Mac::kSha1, true},
    {0x0009, "TLS_RSA_WITH_DES_CBC_SHA", "DES-CBC-SHA", 0x0300, Kx::kRsa, Auth::kRsa, Bulk::kDes, 56, Mac::kSha1, false},
    {0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "DES-CBC3-SHA", 0x0300, Kx::kRsa, Auth::kRsa, Bulk::k3Des, 168, Mac::kSha1, false},
    {0x0011, "TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA", "EXP-EDH-DSS-DES-CBC-SHA", 0x0300, Kx::kDhe, Auth::kDss, Bulk::kDes, 40, Mac::kSha1, true},
    {0x0012, "TLS_DHE_DSS_WITH_DES_CBC_SHA", "EDH-DSS-DES-CBC-SHA", 0x0300, Kx::kDhe, Auth::kDss, Bulk::kDes, 56, Mac::kSha1, false},
    {0x0013, "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA", "EDH-DSS-DES-CBC3-SHA", 0x0300, Kx::kDhe, Auth::kDss, Bulk::k3Des, 168, Mac::kSha1, false},
    {0x0014, "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA", "EXP-EDH-RSA-DES-CBC-SHA", 0x0300, Kx::kDhe, Auth::kRsa, Bulk::kDes, 40, Mac::kSha1, true},
    {0x0015, "TLS_DHE_RSA_WITH_DES_CBC_SHA", "EDH-RSA-DES-CBC-SHA", 0x0300, Kx::kDhe, Auth::kRsa, Bulk::kDes, 56, Mac::kSha1, false},
    {0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA", "EDH-RSA-DES-CBC3-SHA", 0x0300, Kx::kDhe, Auth::kRsa, Bulk::k3Des, 168, Mac::kSha1, false},
    {0x0017, "TLS_DH_anon_EXPORT_WITH_RC4_40_MD5", "EXP-ADH-RC4-MD5", 0x0300, Kx::kDhe, Auth::kNone, Bulk::kRc4, 40, Mac::kMd5, true},
    {0x0018, "TLS_DH_anon_WITH_RC4_128_MD5", "ADH-RC4-MD5", 0x0300, Kx::kDhe, Auth::kNone, Bulk::kRc4, 128, Mac::kMd5, false},
    {0x0019, "TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA", "EXP-ADH-DES-CBC-SHA", 0x0300, Kx::kDhe, Auth::kNone, Bulk::kDes, 40, Mac::kSha1, true},
    {0x001A, "TLS_DH_anon_WITH_DES_CBC_SHA", "ADH-DES-CBC-SHA", 0x0300, Kx::kDhe, Auth::kNone, Bulk::kDes, 56, Mac::kSha1, false},
    {0x001B, "TLS_DH_anon_WITH_3DES_EDE_CBC_SHA", "ADH-DES-CBC3-SHA", 0x0300, Kx::kDhe, Auth::kNone, Bulk::k3Des, 168, Mac::kSha1, false},
    {0x002C, "TLS_PSK_WITH_NULL_SHA", "PSK-NULL-SHA", 0x0300, Kx::kPsk, Auth::kPsk, Bulk::kNull, 0, Mac::kSha1, false},
    {0x002D, "TLS_DHE_PSK_WITH_NULL_SHA", "DHE-PSK-NULL-SHA", 0x0300, Kx::kDhePsk, Auth::kPsk, Bulk::kNull, 0, Mac::kSha1, false},
    {0x002E, "TLS_RSA_PSK_WITH_NULL_SHA", "RSA-PSK-NULL-SHA", 0x0300, Kx::kRsaPsk, Auth::kRsa, Bulk::kNull, 0, Mac::kSha1, false},
    {0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA", 0x0300, Kx::kRsa, Auth::kRsa, Bulk::kAesCbc, 128, Mac::kSha1, false},
    {0x0032, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA", "DHE-DSS-AES128-SHA", 0x0300, Kx::kDhe, Auth::kDss, Bulk::kAesCbc, 128, Mac::kSha1, false},
    {0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", "DHE-RSA-AES128-SHA", 0x0300, Kx::kDhe, Auth::kRsa, Bulk::kAesCbc, 128, Mac::kSha1, false},
    {0x0034, "TLS_DH_anon_WITH_AES_128_CBC_SHA", "ADH-AES128-SHA", 0x0300, Kx::kDhe, Auth::kNone, Bulk::kAesCbc, 128, Mac::kSha1, false},
    {0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", "AES256-SHA", 0x0300, Kx::kRsa, Auth::kRsa, Bulk::kAesCbc, 256, Mac::kSha1, false},
    {0x0038, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA", "DHE-DSS-AES256-SHA", 0x0300, Kx::kDhe, Auth::kDss, Bulk::kAesCbc, 256, Mac::kSha1, false},
    {0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", "DHE-RSA-AES256-SHA", 0x0300, Kx::kDhe, Auth::kRsa, Bulk::kAesCbc, 256, Mac::kSha1, false},
    {0x003A, "TLS_DH_anon_WITH_AES_256_CBC_SHA", "ADH-AES256-SHA", 0x0300, Kx::kDhe, Auth::kNone, Bulk::kAesCbc, 256, Mac::kSha1, false},
    {0x003B, "TLS_RSA_WITH_NULL_SHA256", "NULL-SHA256", 0x0303, Kx::kRsa, Auth::kRsa, Bulk::kNull, 0, Mac::kSha256, false},
    {0x003C, "TLS_RSA_WITH_AES_128_CBC_SHA256", "AES128-SHA256", 0x0303, Kx::kRsa, Auth::kRsa, Bulk::kAesCbc, 128, Mac::kSha256, false},
    {0x003D, "TLS_RSA_WITH_AES_256_CBC_SHA256", "AES256-SHA256", 0x0303, Kx::kRsa, Auth::kRsa, Bulk::kAesCbc, 256, Mac::kSha256, false},
    {0x0040, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256", "DHE-DSS-AES128-SHA256", 0x0303, Kx::kDhe, Auth::kDss, Bulk::kAesCbc, 128, Mac::kSha256, false},
    {0x0041, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA", "CAMELLIA128-SHA", 0x0300, Kx::kRsa, Auth::kRsa, Bulk::kCamelliaCbc, 128, Mac::kSha1, false},
    {0x0044, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA", "DHE-DSS-CAMELLIA128-SHA", 0x0300, Kx::kDhe, Auth::kDss, Bulk::kCamelliaCbc, 128, Mac::kSha1, false},
    {0x0045, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA", "DHE-RSA-CAMELLIA128-SHA", 0x0300, Kx::kDhe, Auth::kRsa, Bulk::kCamelliaCbc, 128, Mac::kSha1, false},
    {0x0046, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA", "ADH-CAMELLIA128-SHA", 0x0300, Kx::kDhe, Auth::kNone, Bulk::kCamelliaCbc, 128, Mac::kSha1, false},
    {0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", "DHE-RSA-AES128-SHA256", 0x0303, Kx::kDhe, Auth::kRsa, Bulk::kAesCbc, 128, Mac::kSha256, false},
    {0x006A, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256", "DHE-DSS-AES256-SHA256", 0x0303, Kx::kDhe, Auth::kDss, Bulk::kAesCbc, 256, Mac::kSha256, false},
    {0x006B, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", "DHE-RSA-AES256-SHA256", 0x0303, Kx::kDhe, Auth::kRsa, Bulk::kAesCbc, 256, Mac::kSha256, false},
    {0x006C, "TLS_DH_anon_WITH_AES_128_CBC_SHA256", "ADH-AES128-SHA256", 0x0303, Kx::kDhe, Auth::kNone, Bulk::kAesCbc, 128, Mac::kSha256, false},
    {0x006D, "TLS_DH_anon_WITH_AES_256_CBC_SHA256", "ADH-AES256-SHA256", 0x0303, Kx::kDhe, Auth::kNone, Bulk::kAesCbc, 256, Mac::kSha256, false},
    {0x0084, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA", "CAMELLIA256-SHA", 0x0300, Kx::kRsa, Auth::kRsa, Bulk::kCamelliaCbc, 256, Mac::kSha1, false},
    {0x0087, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA", "DHE-DSS-CAMELLIA256-SHA", 0x0300, Kx::kDhe, Auth::kDss, Bulk::kCamelliaCbc, 256, Mac::kSha1, false},
    {0x0088, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA", "DHE-RSA-CAMELLIA256-SHA", 0x0300, Kx::kDhe, Auth::kRsa, Bulk::kCamelliaCbc, 256, Mac::kSha1, false},
    {0x0089, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA", "ADH-CAMELLIA256-SHA", 0x0300, Kx::kDhe, Auth::kNone, Bulk::kCamelliaCbc, 256, Mac::kSha1, false},
    {0x008A, "TLS_PSK_WITH_RC4_128_SHA", "PSK-RC4-SHA", 0x0301, Kx::kPsk, Auth::kPsk, Bulk::kRc4, 128, Mac::kSha1, false},
    {0x008B, "TLS_PSK_WITH_3DES_EDE_CBC_SHA", "PSK-3DES-EDE-CBC-SHA", 0x0301, Kx::kPsk, Auth::kPsk, Bulk::k3Des, 168, Mac::kSha1, false},
    {0x008C, "TLS_PSK_WITH_AES_128_CBC_SHA", "PSK-AES128-CBC-SHA", 0x0300, Kx::kPsk, Auth::kPsk, Bulk::kAesCbc, 128, Mac::kSha1, false},
    {0x008D, "TLS_PSK_WITH_AES_256_CBC_SHA", "PSK-AES256-CBC-SHA", 0x0300, Kx::kPsk, Auth::kPsk, Bulk::kAesCbc, 256, Mac::kSha1, false},
    {0x0090, "TLS_DHE_PSK_WITH_AES_128_CBC_SHA", "DHE-PSK-AES128-CBC-SHA", 0x0300, Kx::kDhePsk, Auth::kPsk, Bulk::kAesCbc, 128, Mac::kSha1, false},
    {0x0091, "TLS_DHE_PSK_WITH_AES_256_CBC_SHA", "DHE-PSK-AES256-CBC-SHA", 0x0300, Kx::kDhePsk, Auth::kPsk, Bulk::kAesCbc, 256, Mac::kSha1, false},
    {0x0094, "TLS_RSA_PSK_WITH_AES_128_CBC_SHA", "RSA-PSK-AES128-CBC-SHA", 0x0300, Kx::kRsaPsk, Auth::kRsa, Bulk::kAesCbc, 128, Mac::kSha1, false},
    {0x0095, "TLS_RSA_PSK_WITH_AES_256_CBC_SHA", "RSA-PSK-AES256-CBC-SHA", 0x0300, Kx::kRsaPsk, Auth::kRsa, Bulk::kAesCbc, 256, Mac::kSha1, false},
    {0x0096, "TLS_RSA_WITH_SEED_CBC_SHA", "SEED-SHA", 0x0301, Kx::kRsa, Auth::kRsa, Bulk::kSeed, 128, Mac::kSha1, false},
    {0x0099, "TLS_DHE_DSS_WITH_SEED_CBC_SHA", "DHE-DSS-SEED-SHA", 0x0301, Kx::kDhe, Auth::kDss, Bulk::kSeed, 128, Mac::kSha1, false},
    {0x009A, "TLS_DHE_RSA_WITH_SEED_CBC_SHA", "DHE-RSA-SEED-SHA", 0x0301, Kx::kDhe, Auth::kRsa, Bulk::kSeed, 128, Mac::kSha1, false},
    {0x009B, "TLS_DH_anon_WITH_SEED_CBC_SHA", "ADH-SEED-SHA", 0x0301, Kx::kDhe, Auth::kNone, Bulk::kSeed, 128, Mac::kSha1, false},
    {0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256", 0x0303, Kx::kRsa, Auth::kRsa, Bulk::kAesGcm, 128, Mac::kAead, false},
    {0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384", "AES256-GCM-SHA384", 0x0303, Kx::kRsa, Auth::kRsa, Bulk::kAesGcm, 256, Mac::kAead, false},
    {0x009E, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "DHE-RSA-AES128-GCM-SHA256", 0x0303, Kx::kDhe, Auth::kRsa, Bulk::kAesGcm, 128, Mac::kAead, false},
    {0x009F, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", "DHE-RSA-AES256-GCM-SHA384", 0x0303, Kx::kDhe, Auth::kRsa, Bulk::kAesGcm, 256, Mac::kAead, false},
    {0x00A2, "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256", "DHE-DSS-AES128-GCM-SHA256", 0x0303, Kx::kDhe, Auth::kDss, Bulk::kAesGcm, 128, Mac::kAead, false},
    {0x00A3, "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384", "DHE-DSS-AES256-GCM-SHA384", 0x0303, Kx::kDhe, Auth::kDss, Bulk::kAesGcm, 256, Mac::kAead, false},
    {0x00A6, "TLS_DH_anon_WITH_AES_128_GCM_SHA256", "ADH-AES128-GCM-SHA256", 0x0303, Kx::kDhe, Auth::kNone, Bulk::kAesGcm, 128, Mac::kAead, false},
    {0x00A7, "TLS_DH_anon_WITH_AES_256_GCM_SHA384", "ADH-AES256-GCM-SHA384", 0x0303, Kx::kDhe, Auth::kNone, Bulk::kAesGcm, 256, Mac::kAead, false},
    {0x00A8, "TLS_PSK_WITH_AES_128_GCM_SHA256", "PSK-AES128-GCM-SHA256", 0x0303, Kx::kPsk, Auth::kPsk, Bulk::kAesGcm, 128, Mac::kAead, false},
    {0x00A9, "TLS_PSK_WITH_AES_256_GCM_SHA384", "PSK-AES256-GCM-SHA384", 0x0303, Kx::kPsk, Auth::kPsk, Bulk::kAesGcm, 256, Mac::kAead, false},
    {0x00AA, "TLS_DHE_PSK_WITH_AES_128_GCM_SHA256", "DHE-PSK-AES128-GCM-SHA256", 0x0303, Kx::kDhePsk, Auth::kPsk, Bulk::kAesGcm, 128, Mac::kAead, false},
    {0x00AB, "TLS_DHE_PSK_WITH_AES_256_GCM_SHA384", "DHE-PSK-AES256-GCM-SHA384", 0x0303, Kx::kDhePsk, Auth::kPsk, Bulk::kAesGcm, 256, Mac::kAead, false},
    {0x00AC, "TLS_RSA_PSK_WITH_AES_128_GCM_SHA256", "RSA-PSK-AES128-GCM-SHA256", 0x0303, Kx::kRsaPsk, Auth::kRsa, Bulk::kAesGcm, 128, Mac::kAead, false},
    {0x00AD, "TLS_RSA_PSK_WITH_AES_256_GCM_SHA384", "RSA-PSK-AES256-GCM-SHA384", 0x0303, Kx::kRsaPsk, Auth::kRsa, Bulk::kAesGcm, 256, Mac::kAead, false},
    {0x00AE, "TLS_PSK_WITH_AES_128_CBC_SHA256", "PSK-AES128-CBC-SHA256", 0x0301, Kx::kPsk, Auth::kPsk, Bulk::kAesCbc, 128, Mac::kSha256, false},
    {0x00AF, "TLS_PSK_WITH_AES_256_CBC_SHA384", "PSK-AES256-CBC-SHA384", 0x0301, Kx::kPsk, Auth::kPsk, Bulk::kAesCbc, 256, Mac::kSha384, false},
    {0x00B0, "TLS_PSK_WITH_NULL_SHA256", "PSK-NULL-SHA256", 0x0301, Kx::kPsk, Auth::kPsk, Bulk::kNull, 0, Mac::kSha256, false},
    {0x00B1, "TLS_PSK_WITH_NULL_SHA384", "PSK-NULL-SHA384", 0x0301, Kx::kPsk, Auth::kPsk, Bulk::kNull, 0, Mac::kSha384, false},
    {0x00B2, "TLS_DHE_PSK_WITH_AES_128_CBC_SHA256", "DHE-PSK-AES128-CBC-SHA256", 0x0301, Kx::kDhePsk, Auth::kPsk, Bulk::kAesCbc, 128, Mac::kSha256, false},
    {0x00B3, "TLS_DHE_PSK_WITH_AES_256_CBC_SHA384", "DHE-PSK-AES256-CBC-SHA384", 0x0301, Kx::kDhePsk, Auth::kPsk, Bulk::kAesCbc, 256, Mac::kSha384, false},
    {0x00B4, "TLS_DHE_PSK_WITH_NULL_SHA256", "DHE-PSK-NULL-SHA256", 0x0301, Kx::kDhePsk, Auth::kPsk, Bulk::kNull, 0, Mac::kSha256, false},
    {0x00B5, "TLS_DHE_PSK_WITH_NULL_SHA384", "DHE-PSK-NULL-SHA384", 0x0301, Kx::kDhePsk, Auth::kPsk, Bulk::kNull, 0, Mac::kSha384, false},
    {0x00B6, "TLS_RSA_PSK_WITH_AES_128_CBC_SHA256", "RSA-PSK-AES128-CBC-SHA256", 0x0301, Kx::kRsaPsk, Auth::kRsa, Bulk::kAesCbc, 128, Mac::kSha256, false},
    {0x00B7, "TLS_RSA_PSK_WITH_AES_256_CBC_SHA384", "RSA-PSK-AES256-CBC-SHA384", 0x0301, Kx::kRsaPsk, Auth::kRsa, Bulk::kAesCbc, 256, Mac::kSha384, false},
    {0x00B8, "TLS_RSA_PSK_WITH_NULL_SHA256", "RSA-PSK-NULL-SHA256", 0x0301, Kx::kRsaPsk, Auth::kRsa, Bulk::kNull, 0, Mac::kSha256, false},
    {0x00B9, "TLS_RSA_PSK_WITH_NULL_SHA384", "RSA-PSK-NULL-SHA384", 0x0301, Kx::kRsaPsk, Auth::kRsa, Bulk::kNull, 0, Mac::kSha384, false},
    {0x00BA, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256", "CAMELLIA128-SHA256", 0x0303, Kx::kRsa, Auth::kRsa, Bulk::kCamelliaCbc, 128, Mac::kSha256, false},
    {0x00BD, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA256", "DHE-DSS-CAMELLIA128-SHA256", 0x0303, Kx::kDhe, Auth::kDss, Bulk::kCamelliaCbc, 128, Mac::kSha256, false},
    {0x00BE, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256", "DHE-RSA-CAMELLIA128-SHA256", 0x0303, Kx::kDhe, Auth::kRsa, Bulk::kCamelliaCbc, 128, Mac::kSha256, false},
    {0x00BF, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA256", "ADH-CAMELLIA128-SHA256", 0x0303, Kx::kDhe, Auth::kNone, Bulk::kCamelliaCbc, 128, Mac::kSha256, false},
    {0x00C0, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256", "CAMELLIA256-SHA256", 0x0303, Kx::kRsa, Auth::kRsa, Bulk::kCamelliaCbc, 256, Mac::kSha256, false},
    {0x00C3, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA256", "DHE-DSS-CAMELLIA256-SHA256", 0x0303, Kx::kDhe, Auth::kDss, Bulk::kCamelliaCbc, 256, Mac::kSha256, false},
    {0x00C4, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256", "DHE-RSA-CAMELLIA256-SHA256", 0x0303, Kx::kDhe, Auth::kRsa, Bulk::kCamelliaCbc, 256, Mac::kSha256, false},
    {0x00C5, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA256", "ADH-CAMELLIA256-SHA256", 0x0303, Kx::kDhe, Auth::kNone, Bulk::kCamelliaCbc, 256, Mac::kSha256, false},
    {0x1301, "TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256", 0x0304, Kx::kAny, Auth::kAny, Bulk::kAesGcm, 128, Mac::kAead, false},
    {0x1302, "TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384", 0x0304, Kx::kAny, Auth::kAny, Bulk::kAesGcm, 256, Mac::kAead, false},
    {0x1303, "TLS_CHACHA20_POLY1305_SHA256", "TLS_CHACHA20_POLY1305_SHA256", 0x0304, Kx::kAny, Auth::kAny, Bulk::kChaCha20Poly1305, 256, Mac::kAead, false},
    {0x1304, "TLS_AES_128_CCM_SHA256", "TLS_AES_128_CCM_SHA256", 0x0304, Kx::kAny, Auth::kAny, Bulk::kAesCcm, 128, Mac::kAead, false},
    {0x1305, "TLS_AES_128_CCM_8_SHA256", "TLS_AES_128_CCM_8_SHA256", 0x0304, Kx::kAny, Auth::kAny, Bulk::kAesCcm8, 128, Mac::kAead, false},
    {0xC006, "TLS_ECDHE_ECDSA_WITH_NULL_SHA", "ECDHE-ECDSA-NULL-SHA", 0x0301, Kx::kEcdhe, Auth::kEcdsa, Bulk::kNull, 0, Mac::kSha1, false},
    {0xC007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", "ECDHE-ECDSA-RC4-SHA", 0x0301, Kx::kEcdhe, Auth::kEcdsa, Bulk::kRc4, 128, Mac::kSha1, false},
    {0xC008, "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA", "ECDHE-ECDSA-DES-CBC3-SHA", 0x0301, Kx::kEcdhe, Auth::kEcdsa, Bulk::k3Des, 168, Mac::kSha1, false},
    {0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA-AES128-SHA", 0x0301, Kx::kEcdhe, Auth::kEcdsa, Bulk::kAesCbc, 128, Mac::kSha1, false},
    {0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA-AES256-SHA", 0x0301, Kx::kEcdhe, Auth::kEcdsa, Bulk::kAesCbc, 256, Mac::kSha1, false},
    {0xC010, "TLS_ECDHE_RSA_WITH_NULL_SHA", "ECDHE-RSA-NULL-SHA", 0x0301, Kx::kEcdhe, Auth::kRsa, Bulk::kNull, 0, Mac::kSha1, false},
    {0xC011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA", "ECDHE-RSA-RC4-SHA", 0x0301, Kx::kEcdhe, Auth::kRsa, Bulk::kRc4, 128, Mac::kSha1, false},
    {0xC012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "ECDHE-RSA-DES-CBC3-SHA", 0x0301, Kx::kEcdhe, Auth::kRsa, Bulk::k3Des, 168, Mac::kSha1, false},
    {0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA", 0x0301, Kx::kEcdhe, Auth::kRsa, Bulk::kAesCbc, 128, Mac::kSha1, false},
    {0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA-AES256-SHA", 0x0301, Kx::kEcdhe, Auth::kRsa, Bulk::kAesCbc, 256, Mac::kSha1, false},
    {0xC015, "TLS_ECDH_anon_WITH_NULL_SHA", "AECDH-NULL-SHA", 0x0301, Kx::kEcdhe, Auth::kNone, Bulk::kNull, 0, Mac::kSha1, false},
    {0xC016, "TLS_ECDH_anon_WITH_RC4_128_SHA", "AECDH-RC4-SHA", 0x0301, Kx::kEcdhe, Auth::kNone, Bulk::kRc4, 128, Mac::kSha1, false},
    {0xC017, "TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA", "AECDH-DES-CBC3-SHA", 0x0301, Kx::kEcdhe, Auth::kNone, Bulk::k3Des, 168, Mac::kSha1, false},
    {0xC018, "TLS_ECDH_anon_WITH_AES_128_CBC_SHA", "AECDH-AES128-SHA", 0x0301, Kx::kEcdhe, Auth::kNone, Bulk::kAesCbc, 128, Mac::kSha1, false},
    {0xC019, "TLS_ECDH_anon_WITH_AES_256_CBC_SHA", "AECDH-AES256-SHA", 0x0301, Kx::kEcdhe, Auth::kNone, Bulk::kAesCbc, 256, Mac::kSha1, false},
    {0xC01A, "TLS_SRP_SHA_WITH_3DES_EDE_CBC_SHA", "SRP-3DES-EDE-CBC-SHA", 0x0301, Kx::kSrp, Auth::kSrp, Bulk::k3Des, 168, Mac::kSha1, false},
    {0xC01D, "TLS_SRP_SHA_WITH_AES_128_CBC_SHA", "SRP-AES-128-CBC-SHA", 0x0300, Kx::kSrp, Auth::kSrp, Bulk::kAesCbc, 128, Mac::kSha1, false},
    {0xC01E, "TLS_SRP_SHA_RSA_WITH_AES_128_CBC_SHA", "SRP-RSA-AES-128-CBC-SHA", 0x0300, Kx::kSrp, Auth::kRsa, Bulk::kAesCbc, 128, Mac::kSha1, false},
    {0xC01F, "TLS_SRP_SHA_DSS_WITH_AES_128_CBC_SHA", "SRP-DSS-AES-128-CBC-SHA", 0x0300, Kx::kSrp, Auth::kDss, Bulk::kAesCbc, 128, Mac::kSha1, false},
    {0xC020, "TLS_SRP_SHA_WITH_AES_256_CBC_SHA", "SRP-AES-256-CBC-SHA", 0x0300, Kx::kSrp, Auth::kSrp, Bulk::kAesCbc, 256, Mac::kSha1, false},
    {0xC021, "TLS_SRP_SHA_RSA_WITH_AES_256_CBC_SHA", "SRP-RSA-AES-256-CBC-SHA", 0x0300, Kx::kSrp, Auth::kRsa, Bulk::kAesCbc, 256, Mac::kSha1, false},
    {0xC022, "TLS_SRP_SHA_DSS_WITH_AES_256_CBC_SHA", "SRP-DSS-AES-256-CBC-SHA", 0x0300, Kx::kSrp, Auth::kDss, Bulk::kAesCbc, 256, Mac::kSha1, false},
    {0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "ECDHE-ECDSA-AES128-SHA256", 0x0303, Kx::kEcdhe, Auth::kEcdsa, Bulk::kAesCbc, 128, Mac::kSha256, false},
    {0xC024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", "ECDHE-ECDSA-AES256-SHA384", 0x0303, Kx::kEcdhe, Auth::kEcdsa, Bulk::kAesCbc, 256, Mac::kSha384, false},
    {0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "ECDHE-RSA-AES128-SHA256", 0x0303, Kx::kEcdhe, Auth::kRsa, Bulk::kAesCbc, 128, Mac::kSha256, false},
    {0xC028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "ECDHE-RSA-AES256-SHA384", 0x0303, Kx::kEcdhe, Auth::kRsa, Bulk::kAesCbc, 256, Mac::kSha384, false},
    {0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256", 0x0303, Kx::kEcdhe, Auth::kEcdsa, Bulk::kAesGcm, 128, Mac::kAead, false},
    {0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384", 0x0303, Kx::kEcdhe, Auth::kEcdsa, Bulk::kAesGcm, 256, Mac::kAead, false},
    {0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256", 0x0303, Kx::kEcdhe, Auth::kRsa, Bulk::kAesGcm, 128, Mac::kAead, false},
    {0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384", 0x0303, Kx::kEcdhe, Auth::kRsa, Bulk::kAesGcm, 256, Mac::kAead, false},
    {0xC033, "TLS_ECDHE_PSK_WITH_RC4_128_SHA", "ECDHE-PSK-RC4-SHA", 0x0301, Kx::kEcdhePsk, Auth::kPsk, Bulk::kRc4, 128, Mac::kSha1, false},
    {0xC034, "TLS_ECDHE_PSK_WITH_3DES_EDE_CBC_SHA", "ECDHE-PSK-3DES-EDE-CBC-SHA", 0x0301, Kx::kEcdhePsk, Auth::kPsk, Bulk::k3Des, 168, Mac::kSha1, false},
    {0xC035, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA", "ECDHE-PSK-AES128-CBC-SHA", 0x0301, Kx::kEcdhePsk, Auth::kPsk, Bulk::kAesCbc, 128, Mac::kSha1, false},
    {0xC036, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA", "ECDHE-PSK-AES256-CBC-SHA", 0x0301, Kx::kEcdhePsk, Auth::kPsk, Bulk::kAesCbc, 256, Mac::kSha1, false},
    {0xC037, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256", "ECDHE-PSK-AES128-CBC-SHA256", 0x0301, Kx::kEcdhePsk, Auth::kPsk, Bulk::kAesCbc, 128, Mac::kSha256, false},
    {0xC038, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA384", "ECDHE-PSK-AES256-CBC-SHA384", 0x0301, Kx::kEcdhePsk, Auth::kPsk, Bulk::kAesCbc, 256, Mac::kSha384, false},
    {0xC039, "TLS_ECDHE_PSK_WITH_NULL_SHA", "ECDHE-PSK-NULL-SHA", 0x0301, Kx::kEcdhePsk, Auth::kPsk, Bulk::kNull, 0, Mac::kSha1, false},
    {0xC03A, "TLS_ECDHE_PSK_WITH_NULL_SHA256", "ECDHE-PSK-NULL-SHA256", 0x0301, Kx::kEcdhePsk, Auth::kPsk, Bulk::kNull, 0, Mac::kSha256, false},
    {0xC03B, "TLS_ECDHE_PSK_WITH_NULL_SHA384", "ECDHE-PSK-NULL-SHA384", 0x0301, Kx::kEcdhePsk, Auth::kPsk, Bulk::kNull, 0, Mac::kSha384, false},
    {0xC050, "TLS_RSA_WITH_ARIA_128_GCM_SHA256", "ARIA128-GCM-SHA256", 0x0303, Kx::kRsa, Auth::kRsa, Bulk::kAriaGcm, 128, Mac::kAead, false},
    {0xC051, "TLS_RSA_WITH_ARIA_256_GCM_SHA384", "ARIA256-GCM-SHA384", 0x0303, Kx::kRsa, Auth::kRsa, Bulk::kAriaGcm, 256, Mac::kAead, false},
    {0xC052, "TLS_DHE_RSA_WITH_ARIA_128_GCM_SHA256", "DHE-RSA-ARIA128-GCM-SHA256", 0x0303, Kx::kDhe, Auth::kRsa, Bulk::kAriaGcm, 128, Mac::kAead, false},
    {0xC053, "TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384", "DHE-RSA-ARIA256-GCM-SHA384", 0x0303, Kx::kDhe, Auth::kRsa, Bulk::kAriaGcm, 256, Mac::kAead, false},
    {0xC056, "TLS_DHE_DSS_WITH_ARIA_128_GCM_SHA256", "DHE-DSS-ARIA128-GCM-SHA256", 0x0303, Kx::kDhe, Auth::kDss, Bulk::kAriaGcm, 128, Mac::kAead, false},
    {0xC057, "TLS_DHE_DSS_WITH_ARIA_256_GCM_SHA384", "DHE-DSS-ARIA256-GCM-SHA384", 0x0303, Kx::kDhe, Auth::kDss, Bulk::kAriaGcm, 256, Mac::kAead, false},
    {0xC05C, "TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256", "ECDHE-ECDSA-ARIA128-GCM-SHA256", 0x0303, Kx::kEcdhe, Auth::kEcdsa, Bulk::kAriaGcm, 128, Mac::kAead, false},
    {0xC05D, "TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384", "ECDHE-ECDSA-ARIA256-GCM-SHA384", 0x0303, Kx::kEcdhe, Auth::kEcdsa, Bulk::kAriaGcm, 256, Mac::kAead, false},
    {0xC060, "TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256", "ECDHE-ARIA128-GCM-SHA256", 0x0303, Kx::kEcdhe, Auth::kRsa, Bulk::kAriaGcm, 128, Mac::kAead, false},
    {0xC061, "TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384", "ECDHE-ARIA256-GCM-SHA384", 0x0303, Kx::kEcdhe, Auth::kRsa, Bulk::kAriaGcm, 256, Mac::kAead, false},
    {0xC06A, "TLS_PSK_WITH_ARIA_128_GCM_SHA256", "PSK-ARIA128-GCM-SHA256", 0x0303, Kx::kPsk, Auth::kPsk, Bulk::kAriaGcm, 128, Mac::kAead, false},
    {0xC06B, "TLS_PSK_WITH_ARIA_256_GCM_SHA384", "PSK-ARIA256-GCM-SHA384", 0x0303, Kx::kPsk, Auth::kPsk, Bulk::kAriaGcm, 256, Mac::kAead, false},
    {0xC06C, "TLS_DHE_PSK_WITH_ARIA_128_GCM_SHA256", "DHE-PSK-ARIA128-GCM-SHA256", 0x0303, Kx::kDhePsk, Auth::kPsk, Bulk::kAriaGcm, 128, Mac::kAead, false},
    {0xC06D, "TLS_DHE_PSK_WITH_ARIA_256_GCM_SHA384", "DHE-PSK-ARIA256-GCM-SHA384", 0x0303, Kx::kDhePsk, Auth::kPsk, Bulk::kAriaGcm, 256, Mac::kAead, false},
    {0xC06E, "TLS_RSA_PSK_WITH_ARIA_128_GCM_SHA256", "RSA-PSK-ARIA128-GCM-SHA256", 0x0303, Kx::kRsaPsk, Auth::kRsa, Bulk::kAriaGcm, 128, Mac::kAead, false},
    {0xC06F, "TLS_RSA_PSK_WITH_ARIA_256_GCM_SHA384", "RSA-PSK-ARIA256-GCM-SHA384", 0x0303, Kx::kRsaPsk, Auth::kRsa, Bulk::kAriaGcm, 256, Mac::kAead, false},
    {0xC072, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256", "ECDHE-ECDSA-CAMELLIA128-SHA256", 0x0303, Kx::kEcdhe, Auth::kEcdsa, Bulk::kCamelliaCbc, 128, Mac::kSha256, false},
    {0xC073, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384", "ECDHE-ECDSA-CAMELLIA256-SHA384", 0x0303, Kx::kEcdhe, Auth::kEcdsa, Bulk::kCamelliaCbc, 256, Mac::kSha384, false},
    {0xC076, "TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256", "ECDHE-RSA-CAMELLIA128-SHA256", 0x0303, Kx::kEcdhe, Auth::kRsa, Bulk::kCamelliaCbc, 128, Mac::kSha256, false},
    {0xC077, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384", "ECDHE-RSA-CAMELLIA256-SHA384", 0x0303, Kx::kEcdhe, Auth::kRsa, Bulk::kCamelliaCbc, 256, Mac::kSha384, false},
    {0xC094, "TLS_PSK_WITH_CAMELLIA_128_CBC_SHA256", "PSK-CAMELLIA128-SHA256", 0x0301, Kx::kPsk, Auth::kPsk, Bulk::kCamelliaCbc, 128, Mac::kSha256, false},
    {0xC095, "TLS_PSK_WITH_CAMELLIA_256_CBC_SHA384", "PSK-CAMELLIA256-SHA384", 0x0301, Kx::kPsk, Auth::kPsk, Bulk::kCamelliaCbc, 256, Mac::kSha384, false},
    {0xC096, "TLS_DHE_PSK_WITH_CAMELLIA_128_CBC_SHA256", "DHE-PSK-CAMELLIA128-SHA256", 0x0301, Kx::kDhePsk, Auth::kPsk, Bulk::kCamelliaCbc, 128, Mac::kSha256, false},
    {0xC097, "TLS_DHE_PSK_WITH_CAMELLIA_256_CBC_SHA384", "DHE-PSK-CAMELLIA256-SHA384", 0x0301, Kx::kDhePsk, Auth::kPsk, Bulk::kCamelliaCbc, 256, Mac::kSha384, false},
    {0xC098, "TLS_RSA_PSK_WITH_CAMELLIA_128_CBC_SHA256", "RSA-PSK-CAMELLIA128-SHA256", 0x0301, Kx::kRsaPsk, Auth::kRsa, Bulk::kCamelliaCbc, 128, Mac::kSha256, false},
    {0xC099, "TLS_RSA_PSK_WITH_CAMELLIA_256_CBC_SHA384", "RSA-PSK-CAMELLIA256-SHA384", 0x0301, Kx::kRsaPsk, Auth::kRsa, Bulk::kCamelliaCbc, 256, Mac::kSha384, false},
    {0xC09A, "TLS_ECDHE_PSK_WITH_CAMELLIA_128_CBC_SHA256", "ECDHE-PSK-CAMELLIA128-SHA256", 0x0301, Kx::kEcdhePsk, Auth::kPsk, Bulk::kCamelliaCbc, 128, Mac::kSha256, false},
    {0xC09B, "TLS_ECDHE_PSK_WITH_CAMELLIA_256_CBC_SHA384", "ECDHE-PSK-CAMELLIA256-SHA384", 0x0301, Kx::kEcdhePsk, Auth::kPsk, Bulk::kCamelliaCbc, 256, Mac::kSha384, false},
    {0xC09C, "TLS_RSA_WITH_AES_128_CCM", "AES128-CCM", 0x0303, Kx::kRsa, Auth::kRsa, Bulk::kAesCcm, 128, Mac::kAead, false},
    {0xC09D, "TLS_RSA_WITH_AES_256_CCM", "AES256-CCM", 0x0303, Kx::kRsa, Auth::kRsa, Bulk::kAesCcm, 256, Mac::kAead, false},
    {0xC09E, "TLS_DHE_RSA_WITH_AES_128_CCM", "DHE-RSA-AES128-CCM", 0x0303, Kx::kDhe, Auth::kRsa, Bulk::kAesCcm, 128, Mac::kAead, false},
    {0xC09F, "TLS_DHE_RSA_WITH_AES_256_CCM", "DHE-RSA-AES256-CCM", 0x0303, Kx::kDhe, Auth::kRsa, Bulk::kAesCcm, 256, Mac::kAead, false},
    {0xC0A0, "TLS_RSA_WITH_AES_128_CCM_8", "AES128-CCM8", 0x0303, Kx::kRsa, Auth::kRsa, Bulk::kAesCcm8, 128, Mac::kAead, false},
    {0xC0A1, "TLS_RSA_WITH_AES_256_CCM_8", "AES256-CCM8", 0x0303, Kx::kRsa, Auth::kRsa, Bulk::kAesCcm8, 256, Mac::kAead, false},
    {0xC0A2, "TLS_DHE_RSA_WITH_AES_128_CCM_8", "DHE-RSA-AES128-CCM8", 0x0303, Kx::kDhe, Auth::kRsa, Bulk::kAesCcm8, 128, Mac::kAead, false},
    {0xC0A3, "TLS_DHE_RSA_WITH_AES_256_CCM_8", "DHE-RSA-AES256-CCM8", 0x0303, Kx::kDhe, Auth::kRsa, Bulk::kAesCcm8, 256, Mac::kAead, false},
    {0xC0A4, "TLS_PSK_WITH_AES_128_CCM", "PSK-AES128-CCM", 0x0303, Kx::kPsk, Auth::kPsk, Bulk::kAesCcm, 128, Mac::kAead, false},
    {0xC0A5, "TLS_PSK_WITH_AES_256_CCM", "PSK-AES256-CCM", 0x0303, Kx::kPsk, Auth::kPsk, Bulk::kAesCcm, 256, Mac::kAead, false},
    {0xC0A6, "TLS_DHE_PSK_WITH_AES_128_CCM", "DHE-PSK-AES128-CCM", 0x0303, Kx::kDhePsk, Auth::kPsk, Bulk::kAesCcm, 128, Mac::kAead, false},
    {0xC0A7, "TLS_DHE_PSK_WITH_AES_256_CCM", "DHE-PSK-AES256-CCM", 0x0303, Kx::kDhePsk, Auth::kPsk, Bulk::kAesCcm, 256, Mac::kAead, false},
    {0xC0A8, "TLS_PSK_WITH_AES_128_CCM_8", "PSK-AES128-CCM8", 0x0303, Kx::kPsk, Auth::kPsk, Bulk::kAesCcm8, 128, Mac::kAead, false},
    {0xC0A9, "TLS_PSK_WITH_AES_256_CCM_8", "PSK-AES256-CCM8", 0x0303, Kx::kPsk, Auth::kPsk, Bulk::kAesCcm8, 256, Mac::kAead, false},
    {0xC0AA, "TLS_PSK_DHE_WITH_AES_128_CCM_8", "DHE-PSK-AES128-CCM8", 0x0303, Kx::kDhePsk, Auth::kPsk, Bulk::kAesCcm8, 128, Mac::kAead, false},
    {0xC0AB, "TLS_PSK_DHE_WITH_AES_256_CCM_8", "DHE-PSK-AES256-CCM8", 0x0303, Kx::kDhePsk, Auth::kPsk, Bulk::kAesCcm8, 256, Mac::kAead, false},
    {0xC0AC, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM", "ECDHE-ECDSA-AES128-CCM", 0x0303, Kx::kEcdhe, Auth::kEcdsa, Bulk::kAesCcm, 128, Mac::kAead, false},
    {0xC0AD, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM", "ECDHE-ECDSA-AES256-CCM", 0x0303, Kx::kEcdhe, Auth::kEcdsa, Bulk::kAesCcm, 256, Mac::kAead, false},
    {0xC0AE, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8", "ECDHE-ECDSA-AES128-CCM8", 0x0303, Kx::kEcdhe, Auth::kEcdsa, Bulk::kAesCcm8, 128, Mac::kAead, false},
    {0xC0AF, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8", "ECDHE-ECDSA-AES256-CCM8", 0x0303, Kx::kEcdhe, Auth::kEcdsa, Bulk::kAesCcm8, 256, Mac::kAead, false},
    {0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305", 0x0303, Kx::kEcdhe, Auth::kRsa, Bulk::kChaCha20Poly1305, 256, Mac::kAead, false},
    {0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305", 0x0303, Kx::kEcdhe, Auth::kEcdsa, Bulk::kChaCha20Poly1305, 256, Mac::kAead, false},
    {0xCCAA, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "DHE-RSA-CHACHA20-POLY1305", 0x0303, Kx::kDhe, Auth::kRsa, Bulk::kChaCha20Poly1305, 256, Mac::kAead, false},
    {0xCCAB, "TLS_PSK_WITH_CHACHA20_POLY1305_SHA256", "PSK-CHACHA20-POLY1305", 0x0303, Kx::kPsk, Auth::kPsk, Bulk::kChaCha20Poly1305, 256, Mac::kAead, false},
    {0xCCAC, "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-PSK-CHACHA20-POLY1305", 0x0303, Kx::kEcdhePsk, Auth::kPsk, Bulk::kChaCha20Poly1305, 256, Mac::kAead, false},
    {0xCCAD, "TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256", "DHE-PSK-CHACHA20-POLY1305", 0x0303, Kx::kDhePsk, Auth::kPsk, Bulk::kChaCha20Poly1305, 256, Mac::kAead, false},
    {0xCCAE, "TLS_RSA_PSK_WITH_CHACHA20_POLY1305_SHA256", "RSA-PSK-CHACHA20-POLY1305", 0x0303, Kx::kRsaPsk, Auth::kRsa, Bulk::kChaCha20Poly1305, 256, Mac::kAead, false},
};

constexpr GroupInfo kGroups[] = {
    {1, "sect163k1", "sect163k1", true},
    {2, "sect163r1", "sect163r1", true},
    {3, "sect163r2", "sect163r2", true},
    {4, "sect193r1", "sect193r1", true},
    {5, "sect193r2", "sect193r2", true},
    {6, "sect233k1", "sect233k1", true},
    {7, "sect233r1", "sect233r1", true},
    {8, "sect239k1", "sect239k1", true},
    {9, "sect283k1", "sect283k1", true},
    {10, "sect283r1", "sect283r1", true},
    {11, "sect409k1", "sect409k1", true},
    {12, "sect409r1", "sect409r1", true},
    {13, "sect571k1", "sect571k1", true},
    {14, "sect571r1", "sect571r1", true},
    {15, "secp160k1", "secp160k1", true},
    {16, "secp160r1", "secp160r1", true},
    {17, "secp160r2", "secp160r2", true},
    {18, "secp192k1", "secp192k1", true},
    {19, "secp192r1", "P-192", true},
    {20, "secp224k1", "secp224k1", true},
    {21, "secp224r1", "P-224", true},
    {22, "secp256k1", "secp256k1", true},
    {23, "secp256r1", "P-256", true},
    {24, "secp384r1", "P-384", true},
    {25, "secp521r1", "P-521", true},
    {26, "brainpoolP256r1", "brainpoolP256r1", true},
    {27, "brainpoolP384r1", "brainpoolP384r1", true},
    {28, "brainpoolP512r1", "brainpoolP512r1", true},
    {29, "x25519", "X25519", true},
    {30, "x448", "X448", true},
    {31, "brainpoolP256r1tls13", "brainpoolP256r1tls13", false},
    {32, "brainpoolP384r1tls13", "brainpoolP384r1tls13", false},
    {33, "brainpoolP512r1tls13", "brainpoolP512r1tls13", false},
    {256, "ffdhe2048", "ffdhe2048", false},
    {257, "ffdhe3072", "ffdhe3072", false},
    {258, "ffdhe4096", "ffdhe4096", false},
    {259, "ffdhe6144", "ffdhe6144", false},
    {260, "ffdhe8192", "ffdhe8192", false},
    {0x11EB, "SecP256r1MLKEM768", "SecP256r1MLKEM768", false},
    {0x11EC, "X25519MLKEM768", "X25519MLKEM768", false},
    {0x11ED, "SecP384r1MLKEM1024", "SecP384r1MLKEM1024", false},
    {0x6399, "X25519Kyber768Draft00", "X25519Kyber768Draft00", false},
    {0x639A, "SecP256r1Kyber768Draft00", "SecP256r1Kyber768Draft00", false},
};

constexpr SignatureSchemeInfo kSchemes[] = {
    {0x0201, "rsa_pkcs1_sha1"},
    {0x0202, "dsa_sha1"},
    {0x0203, "ecdsa_sha1"},
    {0x0301, "rsa_pkcs1_sha224"},
    {0x0302, "dsa_sha224"},
    {0x0303, "ecdsa_sha224"},
    {0x0401, "rsa_pkcs1_sha256"},
    {0x0402, "dsa_sha256"},
    {0x0403, "ecdsa_secp256r1_sha256"},
    {0x0501, "rsa_pkcs1_sha384"},
    {0x0502, "dsa_sha384"},
    {0x0503, "ecdsa_secp384r1_sha384"},
    {0x0601, "rsa_pkcs1_sha512"},
    {0x0602, "dsa_sha512"},
    {0x0603, "ecdsa_secp521r1_sha512"},
    {0x0804, "rsa_pss_rsae_sha256"},
    {0x0805, "rsa_pss_rsae_sha384"},
    {0x0806, "rsa_pss_rsae_sha512"},
    {0x0807, "ed25519"},
    {0x0808, "ed448"},
    {0x0809, "rsa_pss_pss_sha256"},
    {0x080A, "rsa_pss_pss_sha384"},
    {0x080B, "rsa_pss_pss_sha512"},
    {0x081A, "ecdsa_brainpoolP256r1tls13_sha256"},
    {0x081B, "ecdsa_brainpoolP384r1tls13_sha384"},
    {0x081C, "ecdsa_brainpoolP512r1tls13_sha512"},
};

template <typename T>
const T* FindCode(absl::Span<const T> table, uint16_t code) {
  auto it = std::lower_bound(table.begin(), table.end(), code,
                             [](const T& row, uint16_t c) { return row.code < c; });
  return it != table.end() && it->code == code ? &*it : nullptr;
}

}  // namespace

absl::Span<const SuiteInfo> Suites() { return kSuites; }

const SuiteInfo* FindSuite(uint16_t code) { return FindCode(Suites(), code); }

std::string SuiteName(uint16_t code) {
  const SuiteInfo* s = FindSuite(code);
  return s != nullptr ? s->iana : absl::StrFormat("0x%04X (unknown)", code);
}

std::vector<uint16_t> SuitesFor(uint16_t version) {
  std::vector<const SuiteInfo*> picked;
  for (const SuiteInfo& s : kSuites) {
    if (version >= 0x0304 ? s.tls13() : (!s.tls13() && s.min_version <= version)) picked.push_back(&s);
  }
  auto strength = [](const SuiteInfo* s) {
    return std::make_tuple(s->forward_secret(), s->aead(), s->kx == Kx::kEcdhe, s->bits);
  };
  std::stable_sort(picked.begin(), picked.end(),
                   [&](const SuiteInfo* a, const SuiteInfo* b) { return strength(a) > strength(b); });
  std::vector<uint16_t> out;
  for (const SuiteInfo* s : picked) out.push_back(s->code);
  return out;
}

absl::Span<const GroupInfo> Groups() { return kGroups; }

const GroupInfo* FindGroup(uint16_t code) { return FindCode(Groups(), code); }

std::string GroupName(uint16_t code) {
  const GroupInfo* g = FindGroup(code);
  return g != nullptr ? g->iana : absl::StrFormat("0x%04X (unknown)", code);
}

absl::Span<const SignatureSchemeInfo> SignatureSchemes() { return kSchemes; }

std::string SignatureSchemeName(uint16_t code) {
  const SignatureSchemeInfo* s = FindCode(SignatureSchemes(), code);
  return s != nullptr ? s->iana : absl::StrFormat("0x%04X (unknown)", code);
}

}  // namespace ipckit::tls
