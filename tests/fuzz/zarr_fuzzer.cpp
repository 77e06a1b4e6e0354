// libFuzzer target: the Zarr v2 metadata parser and the chunk decoders of
// every codec, each followed by the Delta filter's decoding. Any input must end in parsed metadata, a decoded chunk of
// exactly the chunk's size (a wrong size is an error), or a StorageError; never a crash, a hang, an
// out-of-bounds access or another exception.
//
// Input layout: one selector byte. Selector % 8 == 0: the rest is a
// `.zarray` text. Otherwise the rest is a stored chunk for codec
// (selector % 8 - 1), with the dtype and chunk size taken from the next
// byte (a small chunk, so each run is quick). With
// DAGGER_FUZZ_WRITE_SEEDS=DIR it first writes well-formed seeds: metadata
// as dagger and Python's zarr write it, and real chunks of each codec.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "dagger/array/save_load.hpp"
#include "dagger/errors.hpp"
#include "io/zarr/zarr_codec.hpp"
#include "io/zarr/zarr_metadata.hpp"

namespace {

using dagger::storage::Codec;
using dagger::storage::ZarrMeta;

constexpr dagger::DType kDTypes[] = {dagger::DType::f64, dagger::DType::f32, dagger::DType::i64, dagger::DType::i32,
                                     dagger::DType::i16, dagger::DType::i8,  dagger::DType::u16, dagger::DType::b8};

// The chunk a codec selector and shape byte stand for: 1-D, 1 to 64
// elements, one of eight dtypes, Blosc's cname and shuffle from the codec.
ZarrMeta chunk_meta(std::uint8_t selector, std::uint8_t shape) {
  ZarrMeta meta;
  meta.codec = static_cast<Codec>(selector % 8 - 1);
  meta.dtype = kDTypes[shape % 8];
  meta.chunks = {1 + shape / 8 % 64};
  meta.shape = meta.chunks;
  meta.blosc.shuffle = selector / 8 % 3;
  return meta;
}

void write_seed(const std::string& dir, const std::string& name, std::uint8_t selector, const std::string& body) {
  std::ofstream(dir + "/" + name, std::ios::binary) << static_cast<char>(selector) << body;
}

void write_seeds(const std::string& dir) {
  ZarrMeta meta;
  meta.shape = {7, 5};
  meta.chunks = {3, 2};
  write_seed(dir, "zarray_raw", 0, dagger::storage::zarray_json(meta));
  write_seed(dir, "zarray_python",
             0, R"({"chunks":[3,2],"compressor":{"blocksize":0,"clevel":5,"cname":"lz4","id":"blosc","shuffle":1},)"
                R"("dimension_separator":"/","dtype":">f8","fill_value":"NaN","filters":null,"order":"C",)"
                R"("shape":[7,5],"zarr_format":2})");
  write_seed(dir, "zarray_delta",
             0, R"({"chunks":[4],"compressor":{"id":"zstd","level":3},"dtype":"<i8","fill_value":0,)"
                R"("filters":[{"astype":"<i8","dtype":"<i8","id":"delta"}],"order":"C","shape":[11],"zarr_format":2})");
  write_seed(dir, "zarray_3d",
             0, R"({"chunks":[3,2,3],"compressor":{"id":"zstd","level":3},"dimension_separator":"/","dtype":"<i4",)"
                R"("fill_value":-1,"filters":null,"order":"C","shape":[7,5,4],"zarr_format":2})");
  write_seed(dir, "zarray_0d",
             0, R"({"chunks":[],"compressor":null,"dtype":"<f8","fill_value":0.0,"filters":null,"order":"C",)"
                R"("shape":[],"zarr_format":2})");
  for (std::uint8_t codec = 1; codec <= 7; ++codec) {
    for (std::uint8_t shuffle = 0; shuffle < 3; ++shuffle) {
      const std::uint8_t selector = static_cast<std::uint8_t>(codec + 8 * shuffle);
      const std::uint8_t shape = 8 * 20;  // 21 doubles
      ZarrMeta m = chunk_meta(selector, shape);
      m.level = m.codec == Codec::lz4 ? 1 : 3;
      const char* cnames[] = {"lz4", "zstd", "zlib"};
      std::snprintf(m.blosc.cname, sizeof m.blosc.cname, "%s", cnames[shuffle]);
      std::vector<std::byte> raw(m.chunk_bytes());
      for (std::size_t k = 0; k < raw.size(); ++k) raw[k] = static_cast<std::byte>(k % 7 == 0 ? k : 0);
      dagger::storage::ScratchBuffer scratch;
      const std::span<const std::byte> stored = dagger::storage::encode_chunk(raw, m, scratch);
      std::string body(1, static_cast<char>(shape));
      body.append(reinterpret_cast<const char*>(stored.data()), stored.size());
      write_seed(dir, "chunk_" + std::string(dagger::storage::codec_id(m.codec)) + "_" + std::to_string(shuffle), selector,
                 body);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (const char* dir = std::getenv("DAGGER_FUZZ_WRITE_SEEDS")) write_seeds(dir);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t selector = data[0];
  try {
    if (selector % 8 == 0) {
      const ZarrMeta meta =
          dagger::storage::parse_zarray("fuzz/.zarray", std::string(reinterpret_cast<const char*>(data + 1), size - 1));
      if (meta.chunk_key(0, 0).empty()) std::abort();
      return 0;
    }
    if (size < 2) return 0;
    const ZarrMeta meta = chunk_meta(selector, data[1]);
    // Exactly the input's bytes, so that any read past them is caught.
    const std::span<const std::byte> stored(reinterpret_cast<const std::byte*>(data + 2), size - 2);
    std::vector<std::byte> raw(meta.chunk_bytes());
    dagger::storage::decode_chunk("fuzz/0", stored, raw, meta);
    if (meta.dtype != dagger::DType::b8) dagger::storage::delta_decode(raw, meta.dtype);
  } catch (const dagger::StorageError&) {
  }
  return 0;
}
