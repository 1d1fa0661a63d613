//===- SaveTest.cpp - Atomic saves and load errors ------------------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// A save must either produce the complete new file or leave the old one
// untouched, with no temporary file left behind. The "disk full" path is
// exercised honestly with RLIMIT_FSIZE: the kernel then fails write() past
// the limit (EFBIG) exactly where a full disk would fail it (ENOSPC), without
// needing a small file system (tests run as root, so permission tricks and
// mounts are not portable).
//
//===----------------------------------------------------------------------===//

#include "test/Unit/Schema/TestModels.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <iterator>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace kiln;

namespace {

class SaveTest : public ::testing::Test {
protected:
  void SetUp() override {
    char tmpl[] = "/tmp/kiln-save-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir = tmpl;
  }
  void TearDown() override {
    for (const std::string &f : files())
      ::unlink((dir + "/" + f).c_str());
    ::rmdir(dir.c_str());
  }
  std::vector<std::string> files() const {
    std::vector<std::string> out;
    if (DIR *d = ::opendir(dir.c_str())) {
      while (dirent *e = ::readdir(d))
        if (std::string(e->d_name) != "." && std::string(e->d_name) != "..")
          out.push_back(e->d_name);
      ::closedir(d);
    }
    return out;
  }
  static std::string contents(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
  }
  std::string dir;
};

TEST_F(SaveTest, SaveCreatesLoadableFileAndNoTemporaries) {
  std::string path = dir + "/m.kiln";
  Status s = saveModel(testmodels::makeSmallModel(), path);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(files(), std::vector<std::string>{"m.kiln"});
  Model m;
  EXPECT_TRUE(loadModel(path, m).ok());
}

TEST_F(SaveTest, SaveReplacesExistingFile) {
  std::string path = dir + "/m.kiln";
  ASSERT_TRUE(saveModel(testmodels::makeSmallModel(), path).ok());
  ASSERT_TRUE(saveModel(testmodels::makeKitchenSinkModel(), path).ok());
  Model m;
  ASSERT_TRUE(loadModel(path, m).ok());
  EXPECT_EQ(m.name, "kitchen-sink");
  EXPECT_EQ(files().size(), 1u);
}

TEST_F(SaveTest, MissingDirectoryIsAClearError) {
  std::string path = dir + "/no/such/dir/m.kiln";
  Status s = saveModel(testmodels::makeSmallModel(), path);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(),
            "cannot write '" + path + "': No such file or directory");
  EXPECT_TRUE(files().empty());
}

TEST_F(SaveTest, FailedWriteKeepsOldFileIntact) {
  std::string path = dir + "/m.kiln";
  ASSERT_TRUE(saveModel(testmodels::makeSmallModel(), path).ok());
  std::string before = contents(path);

  // Writes past 256 bytes now fail, as on a full disk; the new model is
  // several kilobytes.
  struct rlimit old;
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old), 0);
  auto oldHandler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old;
  small.rlim_cur = 256;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  Status s = saveModel(testmodels::makeKitchenSinkModel(), path);
  ::setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, oldHandler);

  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "cannot write '" + path + "': File too large");
  EXPECT_EQ(contents(path), before);
  EXPECT_EQ(files(), std::vector<std::string>{"m.kiln"});
}

// Files written together are replaced together: a directory at the second
// target is found before the first is renamed.
TEST_F(SaveTest, FilesWrittenTogetherOrNotAtAll) {
  std::string first = dir + "/lib.a", second = dir + "/lib.h";
  const char before[] = "old", after[] = "new!";
  ASSERT_TRUE(writeFileAtomically(first, before, sizeof(before)).ok());
  ASSERT_EQ(::mkdir(second.c_str(), 0755), 0);
  Status s = writeFilesAtomically(
      {{first, after, sizeof(after)}, {second, after, sizeof(after)}});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "cannot write '" + second + "': Is a directory");
  EXPECT_EQ(contents(first), std::string(before, sizeof(before)));
  std::vector<std::string> left = files();
  std::sort(left.begin(), left.end());
  EXPECT_EQ(left, (std::vector<std::string>{"lib.a", "lib.h"}));
  ::rmdir(second.c_str());
}

TEST_F(SaveTest, InvalidModelIsNotWritten) {
  std::string path = dir + "/m.kiln";
  Model m = testmodels::makeSmallModel();
  m.layers[4].name = "dense";
  Status s = saveModel(m, path);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("duplicate layer name"), std::string::npos);
  EXPECT_TRUE(files().empty());
}

TEST_F(SaveTest, LoadErrorsNameThePath) {
  Model m;
  Status s = loadModel(dir + "/missing.kiln", m);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "cannot open '" + dir +
                             "/missing.kiln': No such file or directory");
  s = loadModel(dir, m);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "cannot read '" + dir + "': not a regular file");
}

TEST_F(SaveTest, OversizedFileRejectedBeforeReading) {
  std::string path = dir + "/m.kiln";
  ASSERT_TRUE(saveModel(testmodels::makeSmallModel(), path).ok());
  ModelLimits tiny;
  tiny.maxFileBytes = 100;
  Model m;
  Status s = loadModel(path, m, tiny);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("larger than the limit of 100"), std::string::npos)
      << s.message();
}

// A sparse 2 GiB file takes no disk space; loadModel() must reject it from
// its size alone, before allocating a buffer for it.
TEST_F(SaveTest, FileBeyondFlatBuffersLimitRejectedBeforeReading) {
  std::string path = dir + "/huge.kiln";
  int fd = ::open(path.c_str(), O_CREAT | O_WRONLY, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::ftruncate(fd, off_t(1) << 31), 0);
  ::close(fd);
  Model m;
  Status s = loadModel(path, m);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), path + ": file is 2147483648 bytes, larger than the "
                                "limit of 2147483646");
}

} // namespace
