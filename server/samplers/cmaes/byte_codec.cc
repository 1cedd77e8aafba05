#include "server/samplers/cmaes/byte_codec.h"

#include <bit>
#include <cstring>

#include "absl/strings/match.h"

namespace knob::cmaes {
namespace {

template <typename T>
void AppendLittleEndian(T value, std::string& out) {
  char bytes[sizeof(T)];
  for (size_t i = 0; i < sizeof(T); ++i) {
    bytes[i] = static_cast<char>((value >> (8 * i)) & 0xff);
  }
  out.append(bytes, sizeof(T));
}

template <typename T>
T ParseLittleEndian(absl::string_view bytes) {
  T value = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    value |= static_cast<T>(static_cast<unsigned char>(bytes[i])) << (8 * i);
  }
  return value;
}

}  // namespace

void ByteWriter::U32(uint32_t value) { AppendLittleEndian(value, out_); }

void ByteWriter::U64(uint64_t value) { AppendLittleEndian(value, out_); }

void ByteWriter::F64(double value) { U64(std::bit_cast<uint64_t>(value)); }

void ByteWriter::F64s(absl::Span<const double> values) {
  if constexpr (std::endian::native == std::endian::little) {
    // The in-memory layout is the wire layout: one copy.
    out_.append(reinterpret_cast<const char*>(values.data()),
                sizeof(double) * values.size());
  } else {
    for (double value : values) F64(value);
  }
}

absl::string_view ByteReader::Take(size_t n) {
  if (!ok_ || rest_.size() < n) {
    ok_ = false;
    return {};
  }
  absl::string_view taken = rest_.substr(0, n);
  rest_.remove_prefix(n);
  return taken;
}

uint32_t ByteReader::U32() {
  return ParseLittleEndian<uint32_t>(Take(sizeof(uint32_t)));
}

uint64_t ByteReader::U64() {
  return ParseLittleEndian<uint64_t>(Take(sizeof(uint64_t)));
}

double ByteReader::F64() { return std::bit_cast<double>(U64()); }

Eigen::VectorXd ByteReader::F64s(uint64_t count) {
  if (!ok_ || count > rest_.size() / sizeof(double)) {
    ok_ = false;
    return {};
  }
  Eigen::VectorXd values(static_cast<Eigen::Index>(count));
  if constexpr (std::endian::native == std::endian::little) {
    const absl::string_view bytes = Take(sizeof(double) * count);
    std::memcpy(values.data(), bytes.data(), bytes.size());
  } else {
    for (double& value : values) value = F64();
  }
  return values;
}

bool ByteReader::Expect(absl::string_view expected) {
  if (!ok_ || !absl::StartsWith(rest_, expected)) return false;
  rest_.remove_prefix(expected.size());
  return true;
}

}  // namespace knob::cmaes
