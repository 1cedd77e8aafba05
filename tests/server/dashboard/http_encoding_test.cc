#include "server/dashboard/http_encoding.h"

#include <zlib.h>

#include <string>

#include "gtest/gtest.h"

namespace knob::dashboard {
namespace {

TEST(AcceptsGzip, ReadsTheOfferedCodings) {
  EXPECT_TRUE(AcceptsGzip("gzip, deflate, br"));
  EXPECT_TRUE(AcceptsGzip("br;q=1.0, GZIP;q=0.5"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0, br"));
  EXPECT_FALSE(AcceptsGzip("br, x-gzipped"));
  EXPECT_FALSE(AcceptsGzip(""));
}

TEST(HttplibCompresses, OnlyTheTypesHttplibPicks) {
  EXPECT_TRUE(HttplibCompresses("text/html; charset=utf-8"));
  EXPECT_TRUE(HttplibCompresses("application/json"));
  EXPECT_FALSE(HttplibCompresses(kJson));
  EXPECT_FALSE(HttplibCompresses("application/javascript; charset=utf-8"));
}

TEST(Gzip, RoundTrips) {
  std::string text;
  for (int i = 0; i < 1000; ++i) text += "trial " + std::to_string(i) + "\n";

  const std::optional<std::string> compressed = Gzip(text, kGzipFastest);

  ASSERT_TRUE(compressed.has_value());
  EXPECT_LT(compressed->size(), text.size() / 2);
  z_stream stream{};
  ASSERT_EQ(inflateInit2(&stream, 15 + 16), Z_OK);
  std::string restored(text.size() + 1, '\0');
  stream.next_in =
      reinterpret_cast<Bytef*>(const_cast<char*>(compressed->data()));
  stream.avail_in = static_cast<uInt>(compressed->size());
  stream.next_out = reinterpret_cast<Bytef*>(restored.data());
  stream.avail_out = static_cast<uInt>(restored.size());
  EXPECT_EQ(inflate(&stream, Z_FINISH), Z_STREAM_END);
  restored.resize(stream.total_out);
  inflateEnd(&stream);
  EXPECT_EQ(restored, text);
}

}  // namespace
}  // namespace knob::dashboard
