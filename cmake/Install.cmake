# Install layout and the Debian package (cpack -G DEB).
#   cmake --install build --prefix /usr/local    binary, man pages, bash and zsh completions
#   (cd build && cpack -G DEB)                   palscope_<version>_<arch>.deb for /usr
install(TARGETS palscope RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${CMAKE_SOURCE_DIR}/completion/palscope.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME palscope)
# Debian's zsh reads /usr/share/zsh/vendor-completions for packages and
# /usr/local/share/zsh/site-functions for local installs; the prefix is known at install time
# only (cpack installs to /usr), so the directory is chosen then.
install(CODE "
  if(\"\${CMAKE_INSTALL_PREFIX}\" STREQUAL \"/usr\")
    set(zsh_dir \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions\")
  else()
    set(zsh_dir \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_DATADIR}/zsh/site-functions\")
  endif()
  file(INSTALL \"${CMAKE_SOURCE_DIR}/completion/_palscope\" DESTINATION \"\${zsh_dir}\")
")
install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_PACKAGE_NAME palscope)
set(CPACK_PACKAGE_VENDOR "palscope developers")
set(CPACK_PACKAGE_CONTACT "palscope developers <palscope@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "which customers count toward your Microsoft Partner Admin Link attribution, and why the others are missing")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
# The Debian 12 runtime packages of the -dev packages palscope builds with.
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "libsqlite3-0 (>= 3.40), libcurl4 (>= 7.88), libcjson1 (>= 1.7.15), libcsv3 (>= 3.0), libssl3 (>= 3.0), libc6")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "bash-completion")
include(CPack)
