// /v1/jobs: submit (a task spec, or a catalog template and params), read, list, cancel, retry.
#include "api/api.h"

namespace skiff::api {
namespace {

bool PrintableAscii(std::string_view s) {
  for (char c : s) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

Response Submit(coord::Coordinator* c, catalog::Catalog* cat, Request& req,
                const Principal& who) {
  if (Status st = CheckQuery(req, {}); !st.ok()) return Response::Error(st);
  auto body = ParseJson(req.body);
  if (!body.ok()) return Response::Error(body.status());
  // A job from a catalog template: its task spec, with the params checked against its schema.
  const bool from_template = body->is_object() && body->contains("template");
  if (from_template && cat == nullptr) {
    return Response::Error(Unimplemented("template: this server has no catalog"));
  }
  auto sub = from_template ? cat->BuildSubmission(*body, ViewerOf(who))
                           : ParseJobSubmission(*body);
  if (!sub.ok()) return Response::Error(sub.status());
  if (sub->correlation_id.empty()) {
    std::string cid = req.Header("x-correlation-id");
    if (cid.size() > 128 || !PrintableAscii(cid)) {
      return Response::Error(InvalidArgument(
          "X-Correlation-Id: at most 128 printable ASCII characters"));
    }
    sub->correlation_id = req.correlation_id.empty() ? cid : req.correlation_id;
  }
  sub->traceparent = req.traceparent;
  std::string idem = req.Header("idempotency-key");
  if (idem.size() > 200 || !PrintableAscii(idem)) {
    return Response::Error(InvalidArgument("Idempotency-Key: at most 200 printable ASCII characters"));
  }
  bool created = false;
  auto job = c->Submit(std::move(sub).value(), AsCaller(who), idem, &created);
  if (!job.ok()) return Response::Error(job.status());
  Response r = Response::Json(created ? 201 : 200, *job);
  r.headers.emplace_back("Location", "/v1/jobs/" + (*job)["id"].get<std::string>());
  return r;
}

Response Get(coord::Coordinator* c, Request& req, const Principal& who) {
  if (Status st = CheckQuery(req, {"tasks"}); !st.ok()) return Response::Error(st);
  bool tasks = true;
  if (auto it = req.query.find("tasks"); it != req.query.end()) {
    if (it->second == "0" || it->second == "false") {
      tasks = false;
    } else if (it->second != "1" && it->second != "true") {
      return Response::Error(InvalidArgument("query parameter tasks: expected 0 or 1"));
    }
  }
  auto text = c->GetJobText(req.params["id"], AsCaller(who), tasks);
  if (!text.ok()) return Response::Error(text.status());
  Response r;
  r.body = std::move(text).value();
  return r;
}

Response List(coord::Coordinator* c, Request& req, const Principal& who) {
  if (Status st = CheckQuery(req, {"status", "limit", "cursor"}); !st.ok()) {
    return Response::Error(st);
  }
  coord::ListJobsRequest lr;
  if (auto it = req.query.find("status"); it != req.query.end()) {
    JobStatus s;
    if (!ParseJobStatus(it->second, &s)) {
      return Response::Error(InvalidArgument(
          "query parameter status: expected pending, running, succeeded, failed or cancelled"));
    }
    lr.status = s;
  }
  if (auto it = req.query.find("limit"); it != req.query.end()) {
    char* end = nullptr;
    long v = std::strtol(it->second.c_str(), &end, 10);
    if (it->second.empty() || *end != '\0' || v < 1 || v > 1000) {
      return Response::Error(InvalidArgument("query parameter limit: expected 1..1000"));
    }
    lr.limit = static_cast<size_t>(v);
  }
  if (auto it = req.query.find("cursor"); it != req.query.end()) lr.cursor = it->second;
  auto page = c->ListJobs(lr, AsCaller(who));
  if (!page.ok()) return Response::Error(page.status());
  Json out = {{"jobs", page->jobs},
              {"next_cursor", page->next_cursor.empty() ? Json(nullptr) : Json(page->next_cursor)}};
  return Response::Json(200, out);
}

}  // namespace

void RegisterJobRoutes(Router& router, coord::Coordinator* c, catalog::Catalog* cat) {
  router.Add("POST", "/v1/jobs", Permission::kWrite,
             [c, cat](Request& req, const Principal& who) { return Submit(c, cat, req, who); });
  router.Add("GET", "/v1/jobs", Permission::kRead,
             [c](Request& req, const Principal& who) { return List(c, req, who); });
  router.Add("GET", "/v1/jobs/{id}", Permission::kRead,
             [c](Request& req, const Principal& who) { return Get(c, req, who); });
  router.Add("POST", "/v1/jobs/{id}/cancel", Permission::kWrite,
             [c](Request& req, const Principal& who) {
               auto job = c->Cancel(req.params["id"], AsCaller(who));
               return job.ok() ? Response::Json(200, *job) : Response::Error(job.status());
             });
  router.Add("POST", "/v1/jobs/{id}/retry", Permission::kWrite,
             [c](Request& req, const Principal& who) {
               auto job = c->Retry(req.params["id"], AsCaller(who));
               return job.ok() ? Response::Json(200, *job) : Response::Error(job.status());
             });
}

}  // namespace skiff::api
