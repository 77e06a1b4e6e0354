// A spinning thread's pause: tells the core it spins (x86 PAUSE), so the
// other hyperthread runs and the spin costs less power.
#pragma once

#include <thread>

namespace dagger::detail {

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

}  // namespace dagger::detail
