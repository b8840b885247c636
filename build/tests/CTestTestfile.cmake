# CMake generated Testfile for 
# Source directory: /work/main/tests
# Build directory: /work/main/build/tests
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test([=[canonical_json_test]=] "/work/main/build/tests/canonical_json_test")
set_tests_properties([=[canonical_json_test]=] PROPERTIES  _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;39;add_test;/work/main/tests/CMakeLists.txt;43;cachet_add_test;/work/main/tests/CMakeLists.txt;0;")
add_test([=[jws_test]=] "/work/main/build/tests/jws_test")
set_tests_properties([=[jws_test]=] PROPERTIES  _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;39;add_test;/work/main/tests/CMakeLists.txt;44;cachet_add_test;/work/main/tests/CMakeLists.txt;0;")
add_test([=[config_test]=] "/work/main/build/tests/config_test")
set_tests_properties([=[config_test]=] PROPERTIES  _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;39;add_test;/work/main/tests/CMakeLists.txt;45;cachet_add_test;/work/main/tests/CMakeLists.txt;0;")
add_test([=[notice_test]=] "/work/main/build/tests/notice_test")
set_tests_properties([=[notice_test]=] PROPERTIES  _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;39;add_test;/work/main/tests/CMakeLists.txt;46;cachet_add_test;/work/main/tests/CMakeLists.txt;0;")
add_test([=[receipt_test]=] "/work/main/build/tests/receipt_test")
set_tests_properties([=[receipt_test]=] PROPERTIES  _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;39;add_test;/work/main/tests/CMakeLists.txt;47;cachet_add_test;/work/main/tests/CMakeLists.txt;0;")
