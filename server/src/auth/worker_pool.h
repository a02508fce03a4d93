// A few threads for slow CPU-bound work (Argon2id password hashing) with a bounded queue, so that
// sign-ins never run on the network threads and a burst of them is refused (503) instead of queued
// without end.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace gem::auth {

class WorkerPool {
 public:
  WorkerPool(int threads, std::size_t max_waiting);
  ~WorkerPool();  // runs what is queued, then joins
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // False (and the job is dropped) when max_waiting jobs are already waiting.
  bool submit(std::function<void()> job);

 private:
  void run();
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;
  std::size_t max_waiting_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace gem::auth
