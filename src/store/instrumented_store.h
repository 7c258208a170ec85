// InstrumentedStore: an ObjectStore that forwards every call to another one and records its
// latency and failures in the metrics registry:
//   skiff_store_operation_duration_seconds{op,backend}   histogram
//   skiff_store_errors_total{op,backend,code}            failures, except a Get's NotFound and a
//                                                        conditional Put's FailedPrecondition
// op is get|put|put_many|remove|list; backend is the wrapped store's Backend(). Thread-safe like the
// wrapped store, which must outlive this one.
#pragma once

#include <memory>

#include "obs/metrics.h"
#include "store/object_store.h"

namespace skiff::store {

class InstrumentedStore : public ObjectStore {
 public:
  InstrumentedStore(std::unique_ptr<ObjectStore> inner, obs::Metrics* metrics);

  Result<Object> Get(std::string_view key) override;
  Result<std::string> Put(std::string_view key, std::string_view bytes,
                          const Precondition& pre = Precondition::None()) override;
  Status PutMany(const std::vector<PutItem>& items) override;
  Status Remove(std::string_view key) override;
  Result<ListResult> List(const ListRequest& req) override;
  std::string_view Backend() const override { return inner_->Backend(); }

 private:
  enum Op { kGet, kPut, kPutMany, kRemove, kList, kOps };
  void Record(Op op, double seconds, const Status& st);

  std::unique_ptr<ObjectStore> inner_;
  prometheus::Family<prometheus::Counter>* errors_;
  prometheus::Histogram* latency_[kOps];
};

}  // namespace skiff::store
