# The warning set every library and test links (clean on gcc 12 and clang 14).
add_library(palscope_warnings INTERFACE)
target_compile_options(palscope_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes
  -Wold-style-definition -Wwrite-strings -Wvla -Wformat=2 -Wundef -Wpointer-arith
  -Wimplicit-fallthrough -Wdouble-promotion -fno-common)
