// Values of types with cereal serialization, sent to other processes through
// cereal's binary archive. Include this in the files that pass such values to
// delayed or spawn; the rest of dagger does not need cereal.
#pragma once

#include <sstream>
#include <string>

#include <cereal/archives/binary.hpp>

#include "dagger/detail/wire.hpp"

namespace dagger::detail {

template <class T>
struct CerealWire {
  static void save(const T& v, WireWriter& out) {
    std::ostringstream stream;
    {
      cereal::BinaryOutputArchive archive(stream);
      archive(v);
    }
    out.string(stream.str());
  }
  static void load(T& v, WireReader& in) {
    auto bytes = in.take(in.count(1));
    std::istringstream stream(std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    try {
      cereal::BinaryInputArchive archive(stream);
      archive(v);
    } catch (const cereal::Exception& e) {
      throw ProtocolError(std::string("cereal could not read a value of ") + typeid(T).name() + ": " + e.what());
    }
  }
};

}  // namespace dagger::detail
