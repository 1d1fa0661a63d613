# -*- Python -*-
# lit configuration for Kiln's FileCheck tests (dialect, passes, import,
# driver, integration). Unit tests are GoogleTest binaries run by ctest.
import os
import sys

import lit.formats
from lit.llvm import llvm_config

config.name = "Kiln"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.kiln_obj_root, "test")

llvm_config.with_system_environment(["HOME", "TMPDIR"])
llvm_config.use_default_substitutions()

config.substitutions.append(("%cc", config.c_compiler))
config.substitutions.append(("%python", sys.executable))
config.substitutions.append(("%kiln_src", config.kiln_src_root))
lib_dir = os.path.join(os.path.dirname(config.llvm_tools_dir), "lib")
config.substitutions.append(
    ("%mlir_runner_utils", os.path.join(lib_dir, "libmlir_runner_utils.so")))
config.substitutions.append(
    ("%mlir_c_runner_utils", os.path.join(lib_dir, "libmlir_c_runner_utils.so")))

# Our tools first, then LLVM 19's (FileCheck, not, count, mlir-opt...).
llvm_config.add_tool_substitutions(
    ["kiln-opt", "kiln-translate", "kiln-inspect", "kiln-make-test-models",
     "kiln-make-random-models", "kilnc", "kiln-train", "kiln-run", "llvm-nm",
     "not", "count", "mlir-cpu-runner"],
    [config.kiln_tools_dir, config.llvm_tools_dir])
