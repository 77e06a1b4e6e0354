// The processors a computation may use.
#pragma once

#include <vector>

#include "dagger/processor.hpp"

namespace dagger {

class Context {
 public:
  // Every processor of this process.
  Context();
  // Just these processors (containers such as an OSProc stand for all of
  // the processors they contain).
  explicit Context(std::vector<Processor*> processors);
  // The processors of this process of one kind (Context::only(ProcKind::cuda())
  // runs everything on GPUs), or of every kind but one.
  static Context only(ProcKind kind);
  static Context excluding(ProcKind kind);

  // The processors that run thunks.
  const std::vector<Processor*>& processors() const noexcept { return processors_; }

  // Show a progress bar (tasks done / total, rate) on the terminal during
  // long computations. Also switched on by DAGGER_PROGRESS=1.
  Context& show_progress(bool on = true) {
    progress_ = on;
    return *this;
  }
  bool progress() const noexcept { return progress_; }

 private:
  std::vector<Processor*> processors_;
  bool progress_;
};

}  // namespace dagger
