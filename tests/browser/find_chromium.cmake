# Finds the headless browser of the browser tests: sets CHROMIUM_EXECUTABLE (cache) or, when
# PALSCOPE_REQUIRE_BROWSER is ON, stops with an error. Included by tests/browser/CMakeLists.txt;
# also runs alone (cmake -DPALSCOPE_REQUIRE_BROWSER=ON -P find_chromium.cmake), which the test
# browser.require does with a name no browser has, to prove a missing chromium fails.
if(NOT PALSCOPE_CHROMIUM_NAMES)
  set(PALSCOPE_CHROMIUM_NAMES chromium chromium-browser google-chrome)
endif()
find_program(CHROMIUM_EXECUTABLE NAMES ${PALSCOPE_CHROMIUM_NAMES}
             DOC "headless browser for the tests labelled browser")
if(NOT CHROMIUM_EXECUTABLE)
  if(PALSCOPE_REQUIRE_BROWSER)
    message(FATAL_ERROR "PALSCOPE_REQUIRE_BROWSER is ON but no chromium was found "
                        "(apt-get install -y chromium; scripts/deps.sh does it as root)")
  endif()
  message(STATUS "chromium not found: the browser tests (ctest -L browser) are not registered")
else()
  message(STATUS "browser tests with ${CHROMIUM_EXECUTABLE}")
endif()
