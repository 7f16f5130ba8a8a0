# Conan 2 recipe for natkit (header-only). `conan create .` packages this checkout; the
# test_package/ project is then built against the package. tests/packaging/run.sh checks what
# this recipe does without Conan installed (see README, "Which packaging parts are tested how").
import os
import re

from conan import ConanFile
from conan.tools.build import check_min_cppstd
from conan.tools.files import copy, load
from conan.tools.layout import basic_layout

required_conan_version = ">=2.0"


class NatkitConan(ConanFile):
    name = "natkit"
    description = ("Header-only C++17 library that gets VoIP through NAT routers: STUN codec and "
                   "server logic, NAT behaviour discovery, keepalives, SIP/SDP rewriting")
    license = "BSL-1.0"
    topics = ("stun", "nat", "sip", "sdp", "voip", "header-only")
    package_type = "header-library"
    settings = "os", "arch", "compiler", "build_type"
    options = {"with_asio": [True, False]}
    default_options = {"with_asio": False}
    exports_sources = "include/*", "LICENSE"
    no_copy_source = True

    def set_version(self):
        # One source of truth: the version macros in natkit/version.hpp.
        text = load(self, os.path.join(self.recipe_folder, "include", "natkit", "version.hpp"))
        parts = [re.search(r"#define NATKIT_VERSION_%s (\d+)" % p, text).group(1)
                 for p in ("MAJOR", "MINOR", "PATCH")]
        self.version = ".".join(parts)

    def layout(self):
        basic_layout(self, src_folder=".")

    def requirements(self):
        if self.options.with_asio:
            # Standalone Asio; natkit's adapters need Asio 1.22 or newer.
            self.requires("asio/[>=1.22.1 <2]")

    def package_id(self):
        # The package is the same headers whatever the settings and options (with_asio only
        # adds a requirement), so there is one package per version.
        self.info.clear()

    def validate(self):
        check_min_cppstd(self, 17)

    def package(self):
        # What `cmake --install` would put in include/; CMake config and natkit.pc are not
        # copied: Conan's CMakeDeps and PkgConfigDeps generate them from package_info().
        copy(self, "LICENSE", src=self.source_folder, dst=os.path.join(self.package_folder, "licenses"))
        copy(self, "*.hpp", src=os.path.join(self.source_folder, "include"),
             dst=os.path.join(self.package_folder, "include"))

    def package_info(self):
        # The same names as natkit's own natkitConfig.cmake: find_package(natkit), targets
        # natkit::natkit (the core) and natkit::asio. The package-wide target gets a name nobody
        # links by accident, so that natkit::natkit stays the core only.
        self.cpp_info.set_property("cmake_file_name", "natkit")
        self.cpp_info.set_property("cmake_target_name", "natkit_all_do_not_use")
        self.cpp_info.set_property("pkg_config_name", "natkit_all_do_not_use")
        self.cpp_info.bindirs = []
        self.cpp_info.libdirs = []

        core = self.cpp_info.components["core"]
        core.set_property("cmake_target_name", "natkit::natkit")
        core.set_property("pkg_config_name", "natkit")
        core.bindirs = []
        core.libdirs = []

        if self.options.with_asio:
            adapters = self.cpp_info.components["asio"]
            adapters.set_property("cmake_target_name", "natkit::asio")
            adapters.set_property("pkg_config_name", "natkit-asio")
            adapters.requires = ["core", "asio::asio"]
            adapters.bindirs = []
            adapters.libdirs = []
            if self.settings.os in ("Linux", "FreeBSD"):
                adapters.system_libs = ["pthread"]
