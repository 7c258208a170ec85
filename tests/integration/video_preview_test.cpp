// The shipped example template examples/templates/video-preview.yaml on a real `skiff up`: a
// 2-second sample video with sound made by ffmpeg's test sources, the template published with the
// CLI, a job submitted from it with --param, and the output checked with ffprobe: the requested
// height, the lower frame rate, no audio stream. Then the demo (default params) and the preview
// kept as the template's asset. Needs ffmpeg and ffprobe (scripts/setup.sh installs them).
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "it_util.h"

namespace skiff::it {
namespace {

const std::string kExample = std::string(SKIFF_SOURCE_DIR) + "/examples/templates/video-preview.yaml";

// A program's path from $PATH (the test helpers exec without a PATH search); the name if absent.
std::string Which(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string candidate = dirs.substr(start, end - start) + "/" + name;
    if (end > start && ::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return name;
}

// ffprobe's streams of a file: [{"codec_type", "width", "height", "avg_frame_rate"}, ...].
Json Streams(TestServer& server, const std::string& path) {
  testing::ProcessResult r = testing::RunProcess(
      {Which("ffprobe"), "-v", "error", "-show_entries", "stream=codec_type,width,height,avg_frame_rate",
       "-of", "json", path},
      {}, server.scratch(), seconds(30));
  EXPECT_EQ(r.exit_code, 0) << "ffprobe " << path << ": " << r.err;
  auto j = ParseJson(r.out);
  return j.ok() && j->contains("streams") ? (*j)["streams"] : Json::array();
}

int CountType(const Json& streams, const std::string& type) {
  int n = 0;
  for (const Json& s : streams) n += s.value("codec_type", "") == type;
  return n;
}

Json VideoStream(const Json& streams) {
  for (const Json& s : streams) {
    if (s.value("codec_type", "") == "video") return s;
  }
  return Json::object();
}

std::string FirstLine(const std::string& s) { return s.substr(0, s.find('\n')); }

TEST(VideoPreviewTest, PublishSubmitAndCheckTheOutputWithFfprobe) {
  TestServerOptions o;
  o.workers = 1;
  TestServer server(o);
  ASSERT_TRUE(server.started());
  const std::string in = server.scratch() + "/in put.mp4";  // a space: params are not shell text
  const std::string out = server.scratch() + "/previews/in put.preview.mp4";
  testing::ProcessResult made = testing::RunProcess(
      {Which("ffmpeg"), "-hide_banner", "-loglevel", "error", "-nostdin", "-f", "lavfi", "-i",
       "testsrc=duration=2:size=320x240:rate=25", "-f", "lavfi", "-i", "sine=duration=2",
       "-shortest", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", in},
      {}, server.scratch(), seconds(60));
  ASSERT_EQ(made.exit_code, 0) << "ffmpeg (run scripts/setup.sh): " << made.err;
  Json input = Streams(server, in);
  ASSERT_EQ(CountType(input, "audio"), 1) << input.dump();
  ASSERT_EQ(VideoStream(input)["avg_frame_rate"], "25/1");

  testing::ProcessResult pub = server.RunCli({"template", "publish", kExample});
  ASSERT_EQ(pub.exit_code, 0) << pub.err;
  EXPECT_EQ(pub.out, "published video-preview@1\n");

  testing::ProcessResult run = server.RunCli(
      {"job", "submit", "--template", "video-preview", "--param", "input=" + in, "--param",
       "output=" + out, "--param", "height=120", "--param", "fps=10", "--watch"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  auto job = server.GetJob(FirstLine(run.out));
  ASSERT_TRUE(job.ok()) << job.status().message();
  EXPECT_EQ((*job)["template"], "video-preview@1");
  EXPECT_EQ((*job)["params"]["height"], 120);
  EXPECT_EQ((*job)["params"]["preset"], "veryfast");  // a default filled in
  Json preview = Streams(server, out);
  EXPECT_EQ(CountType(preview, "audio"), 0) << preview.dump();
  EXPECT_EQ(CountType(preview, "video"), 1) << preview.dump();
  EXPECT_EQ(VideoStream(preview)["height"], 120);
  EXPECT_EQ(VideoStream(preview)["width"], 160);  // aspect ratio kept
  EXPECT_EQ(VideoStream(preview)["avg_frame_rate"], "10/1");

  // A parameter out of range: refused before anything runs, naming the parameter and the rule.
  testing::ProcessResult bad = server.RunCli(
      {"job", "submit", "--template", "video-preview", "--param", "height=5000"});
  EXPECT_EQ(bad.exit_code, 3);
  EXPECT_NE(bad.err.find("params.height: 5000 is above the maximum 2160 (rule max)"),
            std::string::npos) << bad.err;

  // The demo: one task with the default parameters (a test clip, 360 rows at 12 fps).
  testing::ProcessResult demo = server.RunCli({"template", "demo", "video-preview"});
  ASSERT_EQ(demo.exit_code, 0) << demo.out << demo.err;
  auto demo_job = server.GetJob(FirstLine(demo.out));
  ASSERT_TRUE(demo_job.ok());
  Json attempts = AttemptsOf(*demo_job, (*demo_job)["tasks"].begin().key());
  ASSERT_EQ(attempts.size(), 1u) << demo_job->dump();
  std::string demo_out = Trim(attempts[0]["stdout_tail"].get<std::string>());
  Json demo_streams = Streams(server, demo_out);
  std::remove(demo_out.c_str());
  EXPECT_EQ(VideoStream(demo_streams)["height"], 360) << demo_streams.dump();
  EXPECT_EQ(VideoStream(demo_streams)["avg_frame_rate"], "12/1");
  EXPECT_EQ(CountType(demo_streams, "audio"), 0);

  // Keep the preview as the template's asset (version 2) and download it back.
  auto http = server.Client();
  std::string bytes = testing::ReadFileOrEmpty(out);
  ASSERT_FALSE(bytes.empty());
  auto up = http->Post("/v1/catalog/assets", bytes);
  ASSERT_TRUE(up.ok());
  ASSERT_EQ(up->status, 201) << up->body;
  auto current = http->Get("/v1/catalog/video-preview");
  ASSERT_TRUE(current.ok());
  Json doc = Json::parse(current->body);
  doc["assets"] = {{{"name", "preview.mp4"}, {"sha256", Json::parse(up->body)["sha256"]},
                    {"content_type", "video/mp4"}}};
  auto v2 = http->Post("/v1/catalog", doc.dump());
  ASSERT_TRUE(v2.ok());
  ASSERT_EQ(v2->status, 201) << v2->body;
  EXPECT_EQ(Json::parse(v2->body)["version"], 2);
  auto down = http->Get("/v1/catalog/video-preview/assets/preview.mp4");
  ASSERT_TRUE(down.ok());
  EXPECT_EQ(down->status, 200);
  EXPECT_EQ(down->Header("content-type"), "video/mp4");
  EXPECT_EQ(down->body, bytes);
  testing::ProcessResult shown = server.RunCli({"template", "get", "video-preview"});
  EXPECT_EQ(shown.exit_code, 0);
  EXPECT_NE(shown.out.find("video-preview@2"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("asset preview.mp4 (video/mp4"), std::string::npos) << shown.out;
}

}  // namespace
}  // namespace skiff::it
