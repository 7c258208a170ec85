// The template document: what a template is, parsed strictly when published and tolerantly when
// read back from the store.
//
//   { "schema": 1, "name": "video-preview", "version": 3, "title": "...", "description": "...",
//     "team": "media", "visibility": "public" | "team",
//     "params": [ {"name": "height", "type": "int", "default": 240, "min": 16, "max": 2160}, ...],
//     "task": { "argv": ["sh", "-c", "... {{height}} ..."], "env": {...}, "timeout_s": 600,
//               "max_attempts": 2, "backoff_ms": 1000, "items": 1 },
//     "assets": [ {"name": "sample.mp4", "sha256": "<hex>", "content_type": "video/mp4",
//                  "size": 12345} ],
//     "published_at": "...", "published_by": "<user id>" }
//
// The task spec is a job submission's spec (core/job_spec.h) whose argv and env values may hold
// {{param}} placeholders, rendered per task by core's RenderTemplate like any job's.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "catalog/params.h"
#include "core/json_input.h"
#include "core/status.h"

namespace skiff::catalog {

inline constexpr size_t kMaxAssets = 20;

struct Asset {
  std::string name;  // unique within the template: [A-Za-z0-9._-], not starting with '.'
  std::string sha256;  // lower-case hex of the bytes: the blob's key on the store
  std::string content_type;
  int64_t size = 0;  // filled in by the catalog at publish time
};

struct Template {
  static constexpr int kSchema = 1;
  std::string name;
  int version = 0;  // assigned at publish time
  std::string title;
  std::string description;
  std::string team;        // the owner team; only it publishes new versions
  std::string visibility;  // "public" or "team"
  std::vector<ParamSpec> params;
  Json task;  // argv, env, timeout_s, max_attempts, backoff_ms, items: validated
  std::vector<Asset> assets;
  int64_t published_ms = 0;
  std::string published_by;
  Json unknown = Json::object();  // fields of a stored document this version does not know
};

// True for a template name: 1 to 63 of [a-z0-9-], starting with a letter or digit, and not
// "assets" (a path segment of the API).
bool ValidTemplateName(std::string_view name);

// Parses a template as published. Strict: unknown fields, wrong types, a bad name, visibility,
// schema, task spec, asset list, or a placeholder in argv/env that names neither a parameter nor a
// built-in ({{job}}, {{task}}, {{index}}) are InvalidArgument naming the field
// ("task.argv[2]: unknown placeholder {{heigth}}"). The server-assigned fields (version,
// published_at, published_by, asset sizes) are accepted and ignored, so a fetched document can be
// edited and published again.
Result<Template> ParseTemplate(const Json& doc);

// Reads a stored document (tolerant: unknown fields are kept in `unknown`). InvalidArgument when a
// known field is malformed.
Result<Template> TemplateFromDocument(const Json& doc);

// The document as stored and served.
Json TemplateToDocument(const Template& t);

// Parses "name" or "name@3". InvalidArgument naming `field` when malformed; *version is 0 when
// the reference has none.
Status ParseTemplateRef(const std::string& ref, const std::string& field, std::string* name,
                        int* version);

}  // namespace skiff::catalog
