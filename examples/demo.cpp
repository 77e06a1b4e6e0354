// The seed DAG of the README, computed on every core, with a summary of
// where the time went.
#include <dagger/dagger.hpp>

#include <cstdio>
#include <fstream>

int add1(int v) { return v + 1; }
int add2(int v) { return v + 2; }
int combine(int a, int b, int c) { return a + b + c; }

int main() {
  auto p = dagger::delayed(add1)(4);
  auto q = dagger::delayed(add2)(p);
  auto r = dagger::delayed(add1)(3);
  auto s = dagger::delayed(combine)(p, q, r);

  int result = dagger::collect(s);
  std::printf("collect(s) = %d (expected 16)\n", result);

  auto debug = dagger::debug_compute(s);
  std::printf("processors: ");
  dagger::Context everything;
  for (dagger::Processor* proc : everything.processors()) std::printf("%s ", proc->name().c_str());
  std::printf("\ntime summary of compute(s):\n%s", dagger::summarize_events(debug.events).c_str());

  // A wider graph: 10,000 independent tasks and one reduction over them.
  std::vector<dagger::Thunk<int>> parts;
  for (int i = 0; i < 10000; ++i) parts.push_back(dagger::delayed(add1)(i));
  auto total = dagger::delayed([](const std::vector<int>& v) {
    long sum = 0;
    for (int x : v) sum += x;
    return sum;
  })(parts);
  auto wide = dagger::debug_compute(total);
  std::printf("sum of 1..10000 = %ld (expected 50005000)\n", dagger::collect(wide.chunk));
  std::printf("time summary of the 10,001-task graph:\n%s",
              dagger::summarize_events(wide.events).c_str());

  std::ofstream("demo_trace.json") << dagger::to_chrome_trace(debug.events);
  std::ofstream("demo_dag.dot") << dagger::to_dot(s);
  std::printf("wrote demo_trace.json (open in Perfetto) and demo_dag.dot (Graphviz)\n");
  return result == 16 ? 0 : 1;
}
