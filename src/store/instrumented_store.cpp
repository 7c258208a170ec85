#include "store/instrumented_store.h"

#include <chrono>

namespace skiff::store {
namespace {

constexpr const char* kOpNames[] = {"get", "put", "put_many", "remove", "list"};

double SecondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

InstrumentedStore::InstrumentedStore(std::unique_ptr<ObjectStore> inner, obs::Metrics* metrics)
    : inner_(std::move(inner)) {
  auto& latency = metrics->HistogramFamily("skiff_store_operation_duration_seconds",
                                           "Object store operation latency in seconds.");
  std::string backend(inner_->Backend());
  for (int op = 0; op < kOps; ++op) {
    latency_[op] = &latency.Add({{"op", kOpNames[op]}, {"backend", backend}},
                                obs::LatencyBuckets());
  }
  errors_ = &metrics->CounterFamily("skiff_store_errors_total",
                                    "Object store operations that failed, by status code.");
}

void InstrumentedStore::Record(Op op, double seconds, const Status& st) {
  latency_[op]->Observe(seconds);
  if (st.ok()) return;
  if (op == kGet && st.code() == Code::kNotFound) return;        // an answer, not a failure
  if (op == kPut && st.code() == Code::kFailedPrecondition) return;  // a lost race, by design
  errors_
      ->Add({{"op", kOpNames[op]},
             {"backend", std::string(inner_->Backend())},
             {"code", std::string(CodeName(st.code()))}})
      .Increment();
}

Result<Object> InstrumentedStore::Get(std::string_view key) {
  auto t0 = std::chrono::steady_clock::now();
  auto r = inner_->Get(key);
  Record(kGet, SecondsSince(t0), r.status());
  return r;
}

Result<std::string> InstrumentedStore::Put(std::string_view key, std::string_view bytes,
                                           const Precondition& pre) {
  auto t0 = std::chrono::steady_clock::now();
  auto r = inner_->Put(key, bytes, pre);
  Record(kPut, SecondsSince(t0), r.status());
  return r;
}

Status InstrumentedStore::PutMany(const std::vector<PutItem>& items) {
  auto t0 = std::chrono::steady_clock::now();
  Status st = inner_->PutMany(items);  // the inner store's batching, not a Put each
  Record(kPutMany, SecondsSince(t0), st);
  return st;
}

Status InstrumentedStore::Remove(std::string_view key) {
  auto t0 = std::chrono::steady_clock::now();
  Status st = inner_->Remove(key);
  Record(kRemove, SecondsSince(t0), st);
  return st;
}

Result<ListResult> InstrumentedStore::List(const ListRequest& req) {
  auto t0 = std::chrono::steady_clock::now();
  auto r = inner_->List(req);
  Record(kList, SecondsSince(t0), r.status());
  return r;
}

}  // namespace skiff::store
