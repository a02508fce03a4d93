# cmake/Dependencies.cmake — Gem's third-party dependency layer.
#
# include()d from the root CMakeLists.txt AFTER project(... LANGUAGES C CXX) and
# BEFORE any target is defined (it sets global flags and the test emulator).
# Defines the same targets in the native (g++) and the WebAssembly (emcmake) build:
#
#   gem::sentencepiece  native: system libsentencepiece (pkg-config `sentencepiece`)
#                       wasm:   static lib from the Debian source (encoder/decoder only)
#   gem::utf8proc       native: system libutf8proc (pkg-config `libutf8proc`)
#                       wasm:   static lib from the Debian source (utf8proc.c)
#   gem::json           nlohmann/json, header-only
#   gem::boost_test     native: Boost.Test shared library (BOOST_TEST_DYN_LINK)
#                       wasm:   header-only variant; defines GEM_BOOST_TEST_INCLUDED=1
#
# Include paths are the same in both builds:
#   #include <sentencepiece_processor.h>   #include <utf8proc.h>
#   #include <nlohmann/json.hpp>            Boost.Test: see below.
#
# Boost.Test sources: the ONE file per test executable that defines BOOST_TEST_MODULE
# must pick the header-only implementation under wasm, every other file of that
# executable includes the plain header (else: duplicate symbols):
#
#   #define BOOST_TEST_MODULE gem_something
#   #if defined(GEM_BOOST_TEST_INCLUDED) && defined(BOOST_TEST_MODULE)
#   #include <boost/test/included/unit_test.hpp>
#   #else
#   #include <boost/test/unit_test.hpp>
#   #endif
#
# gem_add_boost_test(<name> <sources>...) creates such a test executable and registers
# it with CTest (with --color_output=no; under wasm it runs through node automatically).
#
# Cache variables:
#   GEM_THIRD_PARTY_DIR     Debian source trees for the wasm build
#                           (default ${CMAKE_SOURCE_DIR}/build/third_party;
#                            filled by scripts/lib/third-party-sources)
#   GEM_FETCH_THIRD_PARTY   wasm: run scripts/lib/third-party-sources at configure time
#                           when the sources are missing (default ON; needs root/apt)
#   GEM_AUTO_INSTALL_DEPS   native: `apt-get install libutf8proc-dev` at configure time
#                           when it is missing (default ON; only as root)
#   GEM_HOST_INCLUDE_DIR    where the host's nlohmann/ and boost/ headers live (/usr/include)
#
# Variables for the rest of the build:
#   GEM_WASM_FLAGS          flags every wasm object AND the link need
#                           (-fwasm-exceptions -sSUPPORT_LONGJMP=wasm);
#                           already appended to CMAKE_{C,CXX}_FLAGS / CMAKE_EXE_LINKER_FLAGS.
#   GEM_WASM_RELEASE_FLAGS  -Oz -flto: used for CMAKE_BUILD_TYPE=Release and MinSizeRel
#                           under wasm (option GEM_WASM_OZ_LTO, default ON).
#
# Environment (wasm): emcc needs NODE_PATH=/usr/share/nodejs at link time when optimising
# (-O1+ runs acorn: "Cannot find module 'acorn'"). This file wraps the link step with
# `cmake -E env NODE_PATH=...` so a build works even without it, but set it anyway:
#   NODE_PATH=/usr/share/nodejs emcmake cmake -S . -B build-wasm && cmake --build build-wasm
#
# Emscripten cache (Debian's emscripten 3.1.6): /usr/share/emscripten/cache is prebuilt
# and FROZEN_CACHE=True. Every library these flags need (libc++/libc++abi/libunwind
# "-except" variants, also their lto/ versions for -flto) is in it, so nothing is built
# into it. If a future flag needs a library that is not there ("FROZEN_CACHE is set, but
# cache file is missing"), copy the cache and point emcc at the copy, e.g.
#   cp -a /usr/share/emscripten/cache "$HOME/.cache/gem-emcache"
#   export EM_CACHE="$HOME/.cache/gem-emcache" EM_FROZEN_CACHE=0
# (EM_<KEY> overrides the setting in /usr/share/emscripten/.emscripten.)

include_guard(GLOBAL)

if(CMAKE_VERSION VERSION_LESS 3.21)
  message(FATAL_ERROR "Gem: cmake/Dependencies.cmake needs CMake >= 3.21 (found ${CMAKE_VERSION})")
endif()
get_property(_gem_langs GLOBAL PROPERTY ENABLED_LANGUAGES)
if(NOT "C" IN_LIST _gem_langs OR NOT "CXX" IN_LIST _gem_langs)
  message(FATAL_ERROR "Gem: enable both C and CXX before including Dependencies.cmake: "
                      "project(gem LANGUAGES C CXX)")
endif()

set(GEM_THIRD_PARTY_DIR "${CMAKE_SOURCE_DIR}/build/third_party" CACHE PATH
    "Debian source packages (sentencepiece, utf8proc) for the WebAssembly build")
option(GEM_FETCH_THIRD_PARTY "wasm: fetch missing Debian sources at configure time" ON)
option(GEM_AUTO_INSTALL_DEPS "native: apt-get install missing -dev packages at configure time" ON)
set(GEM_HOST_INCLUDE_DIR "/usr/include" CACHE PATH
    "Host directory holding nlohmann/ and boost/ headers")

set(_GEM_DEPS_DIR "${CMAKE_CURRENT_LIST_DIR}")
set(_GEM_GEN_DIR "${CMAKE_BINARY_DIR}/_gem_deps")

# gem_add_boost_test(<name> <source>...): test executable linked to gem::boost_test,
# registered with CTest. Under emscripten CTest runs it through CMAKE_CROSSCOMPILING_EMULATOR.
function(gem_add_boost_test name)
  add_executable(${name} ${ARGN})
  target_link_libraries(${name} PRIVATE gem::boost_test)
  add_test(NAME ${name} COMMAND ${name} --color_output=no)
endfunction()

# Expose one host header directory (e.g. /usr/include/nlohmann) inside the build tree,
# so the wasm build can reach it without -I/usr/include (which would pull glibc headers
# in front of emscripten's sysroot).
function(_gem_host_header_link out_dir name)
  set(src "${GEM_HOST_INCLUDE_DIR}/${name}")
  if(NOT EXISTS "${src}")
    message(FATAL_ERROR "Gem: ${src} not found (install the Debian -dev package providing it)")
  endif()
  set(dir "${_GEM_GEN_DIR}/host-include-${name}")
  file(MAKE_DIRECTORY "${dir}")
  file(CREATE_LINK "${src}" "${dir}/${name}" SYMBOLIC)
  set(${out_dir} "${dir}" PARENT_SCOPE)
endfunction()

if(EMSCRIPTEN)
  # ---------------------------------------------------------------- wasm flags ---
  # -fwasm-exceptions: native Wasm EH (the default "no exceptions" aborts on a throw).
  # -sSUPPORT_LONGJMP=wasm: setjmp/longjmp via Wasm EH too. The default (JS-based
  # "emscripten" SjLj) cannot coexist with Wasm EH in one function: clang dies with
  # "error in backend: When using Wasm EH with Emscripten SjLj ..." (Boost.Test's
  # execution_monitor uses sigsetjmp next to try/catch).
  set(GEM_WASM_FLAGS "-fwasm-exceptions -sSUPPORT_LONGJMP=wasm")
  set(GEM_WASM_RELEASE_FLAGS "-Oz -flto")
  string(APPEND CMAKE_C_FLAGS " ${GEM_WASM_FLAGS}")
  string(APPEND CMAKE_CXX_FLAGS " ${GEM_WASM_FLAGS}")
  string(APPEND CMAKE_EXE_LINKER_FLAGS " ${GEM_WASM_FLAGS}")
  # The shipped module is size-optimised: Release and MinSizeRel both get -Oz -flto
  # (compile AND link; emscripten's lto/ system libraries are in the prebuilt cache).
  # -flto roughly doubles the wasm build time; OFF gives CMake's defaults (-O3 / -Os).
  option(GEM_WASM_OZ_LTO "wasm: use -Oz -flto for Release and MinSizeRel" ON)
  if(GEM_WASM_OZ_LTO)
    foreach(_gem_cfg RELEASE MINSIZEREL)
      set(CMAKE_C_FLAGS_${_gem_cfg} "${GEM_WASM_RELEASE_FLAGS} -DNDEBUG")
      set(CMAKE_CXX_FLAGS_${_gem_cfg} "${GEM_WASM_RELEASE_FLAGS} -DNDEBUG")
      set(CMAKE_EXE_LINKER_FLAGS_${_gem_cfg} "${GEM_WASM_RELEASE_FLAGS}")
    endforeach()
  endif()

  # emcc's JS optimiser (link, -O1+) needs acorn from Debian's node-acorn.
  if(NOT "$ENV{NODE_PATH}" MATCHES "/usr/share/nodejs")
    message(STATUS "Gem: NODE_PATH does not contain /usr/share/nodejs; "
                   "wrapping emcc links with it (export NODE_PATH=/usr/share/nodejs)")
  endif()
  set(_gem_node_path "/usr/share/nodejs")
  if(NOT "$ENV{NODE_PATH}" STREQUAL "")
    string(APPEND _gem_node_path ":$ENV{NODE_PATH}")
  endif()
  set(CMAKE_C_LINKER_LAUNCHER "${CMAKE_COMMAND};-E;env;NODE_PATH=${_gem_node_path}")
  set(CMAKE_CXX_LINKER_LAUNCHER "${CMAKE_COMMAND};-E;env;NODE_PATH=${_gem_node_path}")

  # emcmake passes node;--experimental-wasm-threads, which Node 20 rejects; generated
  # loaders also call fetch() on file paths unless fetch is disabled.
  if(NOT CMAKE_CROSSCOMPILING_EMULATOR OR CMAKE_CROSSCOMPILING_EMULATOR MATCHES "experimental-wasm-threads")
    set(CMAKE_CROSSCOMPILING_EMULATOR "/usr/bin/node;--no-experimental-fetch" CACHE STRING
        "Runs wasm test executables under CTest" FORCE)
  endif()

  # ------------------------------------------------------------ Debian sources ---
  set(_gem_spm_dir "${GEM_THIRD_PARTY_DIR}/sentencepiece")
  set(_gem_utf_dir "${GEM_THIRD_PARTY_DIR}/utf8proc")
  if(NOT EXISTS "${_gem_spm_dir}/src/sentencepiece_processor.cc" OR
     NOT EXISTS "${_gem_utf_dir}/utf8proc.c")
    set(_gem_fetch "${_GEM_DEPS_DIR}/../scripts/lib/third-party-sources")
    if(GEM_FETCH_THIRD_PARTY AND EXISTS "${_gem_fetch}")
      message(STATUS "Gem: fetching Debian sources into ${GEM_THIRD_PARTY_DIR}")
      execute_process(COMMAND bash "${_gem_fetch}" "${GEM_THIRD_PARTY_DIR}"
                      RESULT_VARIABLE _gem_rc)
      if(NOT _gem_rc EQUAL 0)
        message(FATAL_ERROR "Gem: ${_gem_fetch} failed (${_gem_rc})")
      endif()
    else()
      message(FATAL_ERROR "Gem: Debian sources missing in ${GEM_THIRD_PARTY_DIR}; run "
                          "scripts/lib/third-party-sources ${GEM_THIRD_PARTY_DIR}")
    endif()
  endif()

  # ------------------------------------------------------------ sentencepiece ---
  # Encoder/decoder only (no trainer), with the bundled protobuf-lite; mirrors the
  # SPM_SRCS list of the upstream src/CMakeLists.txt (SPM_USE_BUILTIN_PROTOBUF=ON).
  file(STRINGS "${_gem_spm_dir}/VERSION.txt" _gem_spm_version LIMIT_COUNT 1)
  set(_gem_spm_cfg "${_GEM_GEN_DIR}/sentencepiece-config")
  file(MAKE_DIRECTORY "${_gem_spm_cfg}")
  file(CONFIGURE OUTPUT "${_gem_spm_cfg}/config.h" CONTENT [[
#ifndef CONFIG_H_
#define CONFIG_H_
#define VERSION "@_gem_spm_version@"
#define PACKAGE "sentencepiece"
#define PACKAGE_STRING "sentencepiece"
#endif  // CONFIG_H_
]] @ONLY)
  # Public include dir with only the public header: src/ also holds util.h, common.h, ...
  set(_gem_spm_pub "${_GEM_GEN_DIR}/sentencepiece-include")
  file(MAKE_DIRECTORY "${_gem_spm_pub}")
  file(CREATE_LINK "${_gem_spm_dir}/src/sentencepiece_processor.h"
       "${_gem_spm_pub}/sentencepiece_processor.h" SYMBOLIC)

  set(_gem_pb "${_gem_spm_dir}/third_party/protobuf-lite")
  add_library(gem_sentencepiece STATIC
    ${_gem_pb}/arena.cc
    ${_gem_pb}/arenastring.cc
    ${_gem_pb}/bytestream.cc
    ${_gem_pb}/coded_stream.cc
    ${_gem_pb}/common.cc
    ${_gem_pb}/extension_set.cc
    ${_gem_pb}/generated_enum_util.cc
    ${_gem_pb}/generated_message_table_driven_lite.cc
    ${_gem_pb}/generated_message_util.cc
    ${_gem_pb}/implicit_weak_message.cc
    ${_gem_pb}/int128.cc
    ${_gem_pb}/io_win32.cc
    ${_gem_pb}/message_lite.cc
    ${_gem_pb}/parse_context.cc
    ${_gem_pb}/repeated_field.cc
    ${_gem_pb}/status.cc
    ${_gem_pb}/statusor.cc
    ${_gem_pb}/stringpiece.cc
    ${_gem_pb}/stringprintf.cc
    ${_gem_pb}/structurally_valid.cc
    ${_gem_pb}/strutil.cc
    ${_gem_pb}/time.cc
    ${_gem_pb}/wire_format_lite.cc
    ${_gem_pb}/zero_copy_stream.cc
    ${_gem_pb}/zero_copy_stream_impl.cc
    ${_gem_pb}/zero_copy_stream_impl_lite.cc
    ${_gem_spm_dir}/src/builtin_pb/sentencepiece.pb.cc
    ${_gem_spm_dir}/src/builtin_pb/sentencepiece_model.pb.cc
    ${_gem_spm_dir}/src/bpe_model.cc
    ${_gem_spm_dir}/src/char_model.cc
    ${_gem_spm_dir}/src/error.cc
    ${_gem_spm_dir}/src/filesystem.cc
    ${_gem_spm_dir}/src/model_factory.cc
    ${_gem_spm_dir}/src/model_interface.cc
    ${_gem_spm_dir}/src/normalizer.cc
    ${_gem_spm_dir}/src/sentencepiece_processor.cc
    ${_gem_spm_dir}/src/unigram_model.cc
    ${_gem_spm_dir}/src/util.cc
    ${_gem_spm_dir}/src/word_model.cc
    ${_gem_spm_dir}/third_party/absl/flags/flag.cc)
  # Upstream is C++17 code; keep it there even if the project sets CMAKE_CXX_STANDARD 20.
  set_target_properties(gem_sentencepiece PROPERTIES CXX_STANDARD 17 CXX_STANDARD_REQUIRED ON
                                                     CXX_EXTENSIONS OFF)
  target_compile_definitions(gem_sentencepiece PRIVATE HAVE_PTHREAD=1 _USE_INTERNAL_STRING_VIEW)
  target_compile_options(gem_sentencepiece PRIVATE -w)   # third-party code: no warnings
  target_include_directories(gem_sentencepiece
    PRIVATE "${_gem_spm_cfg}" "${_gem_spm_dir}" "${_gem_spm_dir}/src"
            "${_gem_spm_dir}/src/builtin_pb" "${_gem_pb}" "${_gem_spm_dir}/third_party")
  target_include_directories(gem_sentencepiece SYSTEM INTERFACE "${_gem_spm_pub}")

  # ----------------------------------------------------------------- utf8proc ---
  add_library(gem_utf8proc STATIC "${_gem_utf_dir}/utf8proc.c")   # #includes utf8proc_data.c
  target_compile_definitions(gem_utf8proc PUBLIC UTF8PROC_STATIC)
  target_compile_options(gem_utf8proc PRIVATE -w)
  set(_gem_utf_pub "${_GEM_GEN_DIR}/utf8proc-include")
  file(MAKE_DIRECTORY "${_gem_utf_pub}")
  file(CREATE_LINK "${_gem_utf_dir}/utf8proc.h" "${_gem_utf_pub}/utf8proc.h" SYMBOLIC)
  target_include_directories(gem_utf8proc SYSTEM INTERFACE "${_gem_utf_pub}")

  # ---------------------------------------------------------------- nlohmann ---
  _gem_host_header_link(_gem_json_inc nlohmann)
  add_library(gem_json INTERFACE)
  target_include_directories(gem_json SYSTEM INTERFACE "${_gem_json_inc}")

  # --------------------------------------------------------------- Boost.Test ---
  _gem_host_header_link(_gem_boost_inc boost)
  add_library(gem_boost_test INTERFACE)
  target_include_directories(gem_boost_test SYSTEM INTERFACE "${_gem_boost_inc}")
  target_compile_definitions(gem_boost_test INTERFACE
    GEM_BOOST_TEST_INCLUDED=1 BOOST_TEST_DISABLE_ALT_STACK)

else()
  set(GEM_WASM_FLAGS "")
  set(GEM_WASM_RELEASE_FLAGS "")
  find_package(PkgConfig REQUIRED)

  # ------------------------------------------------------------ sentencepiece ---
  pkg_check_modules(GEM_PC_SENTENCEPIECE REQUIRED IMPORTED_TARGET GLOBAL sentencepiece)
  add_library(gem_sentencepiece INTERFACE)
  target_link_libraries(gem_sentencepiece INTERFACE PkgConfig::GEM_PC_SENTENCEPIECE)

  # ----------------------------------------------------------------- utf8proc ---
  pkg_check_modules(GEM_PC_UTF8PROC QUIET IMPORTED_TARGET GLOBAL libutf8proc)
  if(NOT GEM_PC_UTF8PROC_FOUND AND GEM_AUTO_INSTALL_DEPS)
    execute_process(COMMAND id -u OUTPUT_VARIABLE _gem_uid OUTPUT_STRIP_TRAILING_WHITESPACE)
    find_program(_GEM_APT_GET apt-get)
    if(_gem_uid STREQUAL "0" AND _GEM_APT_GET)
      message(STATUS "Gem: libutf8proc-dev missing, installing it with apt-get")
      set(_gem_apt_env ${CMAKE_COMMAND} -E env DEBIAN_FRONTEND=noninteractive)
      execute_process(COMMAND ${_gem_apt_env} ${_GEM_APT_GET} install -y -qq
                              --no-install-recommends libutf8proc-dev
                      RESULT_VARIABLE _gem_rc OUTPUT_QUIET)
      if(NOT _gem_rc EQUAL 0)   # fresh machine without package lists
        execute_process(COMMAND ${_gem_apt_env} ${_GEM_APT_GET} update -qq OUTPUT_QUIET)
        execute_process(COMMAND ${_gem_apt_env} ${_GEM_APT_GET} install -y -qq
                                --no-install-recommends libutf8proc-dev OUTPUT_QUIET)
      endif()
      pkg_check_modules(GEM_PC_UTF8PROC QUIET IMPORTED_TARGET GLOBAL libutf8proc)
    endif()
  endif()
  if(NOT GEM_PC_UTF8PROC_FOUND)
    message(FATAL_ERROR "Gem: libutf8proc not found: apt-get install libutf8proc-dev "
                        "(or run scripts/lib/third-party-sources)")
  endif()
  add_library(gem_utf8proc INTERFACE)
  target_link_libraries(gem_utf8proc INTERFACE PkgConfig::GEM_PC_UTF8PROC)

  # ---------------------------------------------------------------- nlohmann ---
  find_package(nlohmann_json 3.10 CONFIG QUIET)
  add_library(gem_json INTERFACE)
  if(nlohmann_json_FOUND)
    target_link_libraries(gem_json INTERFACE nlohmann_json::nlohmann_json)
  else()
    _gem_host_header_link(_gem_json_inc nlohmann)
    target_include_directories(gem_json SYSTEM INTERFACE "${_gem_json_inc}")
  endif()

  # --------------------------------------------------------------- Boost.Test ---
  find_package(Boost 1.74 REQUIRED COMPONENTS unit_test_framework)
  add_library(gem_boost_test INTERFACE)
  target_link_libraries(gem_boost_test INTERFACE Boost::unit_test_framework)
  target_compile_definitions(gem_boost_test INTERFACE BOOST_TEST_DYN_LINK)
endif()

add_library(gem::sentencepiece ALIAS gem_sentencepiece)
add_library(gem::utf8proc ALIAS gem_utf8proc)
add_library(gem::json ALIAS gem_json)
add_library(gem::boost_test ALIAS gem_boost_test)
