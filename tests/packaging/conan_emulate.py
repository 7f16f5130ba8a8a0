#!/usr/bin/env python3
"""Runs natkit's Conan 2 recipe (conanfile.py) and test_package/conanfile.py without Conan.

Conan cannot be installed here, so this script stands in for the parts of Conan the recipe
touches: it provides a minimal `conan` module (ConanFile, copy, load, basic_layout,
check_min_cppstd, CMakeToolchain ...), then does what `conan create . -o natkit/*:with_asio=X`
does with the recipe:

  export     copy exports_sources into a fresh folder (the recipe's source in Conan's cache)
  validate   check_min_cppstd(17) must reject cppstd 14 and accept 17, gnu17 and 20
  package    the recipe's package() copies from the exported sources into the package folder
  package_id must clear the id (one package for every setting and option)
  info       package_info() is turned into what Conan's CMakeDeps generator would write:
             <cmake_file_name>-config.cmake with one INTERFACE IMPORTED target per component
             (cmake_target_name), includedirs, defines, system libraries and requires
  test_package its generate() is run to learn the CMake cache variables it passes

It is an emulation, not Conan: it reads the same properties CMakeDeps reads, but it does not
reproduce CMakeDeps' per-configuration files. tests/packaging/run.sh builds test_package/ with
plain CMake against the emulated package and runs it.

usage: conan_emulate.py SOURCE_DIR WORK_DIR CMAKE_PROJECT_VERSION
"""
import fnmatch
import importlib.util
import os
import shutil
import sys
import types

src, work, cmake_version = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]), sys.argv[3]
failures = []


def ok(cond, what):
    print(("ok - " if cond else "not ok - ") + what)
    if not cond:
        failures.append(what)


# ----------------------------------------------------------------------------- the fake conan
class ConanInvalidConfiguration(Exception):
    pass


class Attrs:
    def __init__(self, **kw):
        self.__dict__.update(kw)

    def get_safe(self, name, default=None):
        return self.__dict__.get(name, default)


class Component:
    def __init__(self):
        self.properties = {}
        self.includedirs = ["include"]
        self.bindirs = ["bin"]
        self.libdirs = ["lib"]
        self.libs = []
        self.defines = []
        self.system_libs = []
        self.requires = []

    def set_property(self, name, value):
        self.properties[name] = value

    def get_property(self, name):
        return self.properties.get(name)


class CppInfo(Component):
    def __init__(self):
        super().__init__()
        self.components = {}

    class _Components(dict):
        def __missing__(self, key):
            self[key] = Component()
            return self[key]

    def __setattr__(self, name, value):
        if name == "components":
            value = CppInfo._Components()
        super().__setattr__(name, value)


class ConanFile:
    def __init__(self, options=None, settings=None):
        opts = dict(getattr(self, "default_options", {}))
        opts.update(options or {})
        self.options = Attrs(**opts)
        self.settings = settings or Attrs(os="Linux", arch="x86_64", build_type="Release",
                                          compiler=Attrs(value="gcc", version="12", cppstd="17"))
        self.requires_seen = []
        self.folders = Attrs(source=".", build=".")
        self.cpp_info = CppInfo()
        self.info = Attrs(cleared=False)
        self.info.clear = lambda: setattr(self.info, "cleared", True)
        self.cache_variables = {}

    def requires(self, ref):
        self.requires_seen.append(ref)

    def output(self, *a):
        pass


def check_min_cppstd(conanfile, cppstd):
    value = str(conanfile.settings.compiler.cppstd).replace("gnu", "")
    # 98 sorts before 11; C++ standards after 98 compare as numbers
    as_num = lambda v: 1998 if v == "98" else 2000 + int(v)
    if as_num(value) < as_num(str(cppstd)):
        raise ConanInvalidConfiguration("needs C++%s, settings say %s" % (cppstd, value))


def copy(conanfile, pattern, src, dst, keep_path=True, excludes=None):
    copied = []
    for root, _, files in os.walk(src):
        for f in files:
            rel = os.path.relpath(os.path.join(root, f), src)
            if fnmatch.fnmatch(rel, pattern):
                target = os.path.join(dst, rel if keep_path else f)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                shutil.copy2(os.path.join(root, f), target)
                copied.append(target)
    return copied


def load(conanfile, path):
    with open(path) as f:
        return f.read()


def basic_layout(conanfile, src_folder="."):
    conanfile.folders.source = src_folder


def cmake_layout(conanfile, src_folder="."):
    conanfile.folders.source = src_folder


class CMakeToolchain:
    def __init__(self, conanfile):
        self.conanfile = conanfile
        self.cache_variables = conanfile.cache_variables
        self.variables = conanfile.cache_variables

    def generate(self):
        pass


class CMake:
    def __init__(self, conanfile):
        pass


modules = {
    "conan": {"ConanFile": ConanFile},
    "conan.errors": {"ConanInvalidConfiguration": ConanInvalidConfiguration},
    "conan.tools": {},
    "conan.tools.build": {"check_min_cppstd": check_min_cppstd, "can_run": lambda cf: True},
    "conan.tools.files": {"copy": copy, "load": load},
    "conan.tools.layout": {"basic_layout": basic_layout},
    "conan.tools.cmake": {"CMake": CMake, "CMakeToolchain": CMakeToolchain, "cmake_layout": cmake_layout},
}
for name, members in modules.items():
    m = types.ModuleType(name)
    m.__dict__.update(members)
    sys.modules[name] = m


def load_recipe(path):
    spec = importlib.util.spec_from_file_location("recipe_%d" % abs(hash(path)), path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    classes = [c for c in vars(module).values()
               if isinstance(c, type) and issubclass(c, ConanFile) and c is not ConanFile]
    assert len(classes) == 1, path
    return classes[0]


# ------------------------------------------------------------------------------ the recipe
Recipe = load_recipe(os.path.join(src, "conanfile.py"))
ok(Recipe.name == "natkit", "recipe name is natkit")
ok(Recipe.package_type == "header-library", 'package_type is "header-library"')
ok(Recipe.options.get("with_asio") == [True, False] and Recipe.default_options.get("with_asio") is False,
   "option with_asio (True/False, default False)")

r = Recipe()
r.recipe_folder = src
r.set_version()
ok(r.version == cmake_version, "set_version() reads %s, CMake project says %s" % (r.version, cmake_version))

for std, accepted in (("14", False), ("gnu14", False), ("17", True), ("gnu17", True), ("20", True)):
    r = Recipe(settings=Attrs(os="Linux", arch="x86_64", build_type="Release",
                              compiler=Attrs(value="gcc", version="12", cppstd=std)))
    try:
        r.validate()
        got = True
    except ConanInvalidConfiguration:
        got = False
    ok(got == accepted, "validate() %s cppstd=%s" % ("accepts" if accepted else "rejects", std))

r = Recipe()
r.package_id()
ok(r.info.cleared, "package_id() clears the id (one package for all settings and options)")

# export: only exports_sources travel to Conan's cache, so package() must find all it needs there
export = os.path.join(work, "export")
shutil.rmtree(work, ignore_errors=True)
patterns = Recipe.exports_sources
patterns = [patterns] if isinstance(patterns, str) else list(patterns)
for p in patterns:
    copy(None, p, src, export)

pkg = os.path.join(work, "package")
r = Recipe()
r.layout()
r.source_folder = os.path.normpath(os.path.join(export, r.folders.source))
r.package_folder = pkg
r.package()
headers = sorted(os.path.relpath(os.path.join(d, f), os.path.join(src, "include"))
                 for d, _, fs in os.walk(os.path.join(src, "include")) for f in fs if f.endswith(".hpp"))
packaged = sorted(os.path.relpath(os.path.join(d, f), os.path.join(pkg, "include"))
                  for d, _, fs in os.walk(os.path.join(pkg, "include")) for f in fs)
ok(headers == packaged and len(headers) > 40, "package() holds every header under include/ (%d)" % len(packaged))
ok(os.path.isfile(os.path.join(pkg, "licenses", "LICENSE")), "package() holds licenses/LICENSE")
ok(not os.path.exists(os.path.join(pkg, "lib")) and not os.path.exists(os.path.join(pkg, "bin")),
   "no lib/ or bin/ in the package")

TestRecipe = load_recipe(os.path.join(src, "test_package", "conanfile.py"))
ok("CMakeDeps" in TestRecipe.generators and TestRecipe.test_type == "explicit",
   "test_package uses CMakeDeps, test_type explicit")


def cmake_list(items):
    return ";".join(items)


def write_cmakedeps(out, recipe, dep_asio_include):
    """What CMakeDeps would generate for natkit (and for the asio package it requires)."""
    os.makedirs(out, exist_ok=True)
    info = recipe.cpp_info
    file_name = info.get_property("cmake_file_name") or recipe.name
    root_target = info.get_property("cmake_target_name") or "%s::%s" % (file_name, file_name)
    comps = info.components
    names = {c: comps[c].get_property("cmake_target_name") or "%s::%s" % (file_name, c) for c in comps}
    deps = sorted({req.split("::")[0] for c in comps.values() for req in c.requires if "::" in req})
    lines = ["# Emulation of what Conan's CMakeDeps writes for natkit's package_info()",
             "# (written by tests/packaging/conan_emulate.py)",
             "include(CMakeFindDependencyMacro)"]
    for d in deps:
        lines.append("find_dependency(%s CONFIG)" % d)
    order = []

    def visit(c):
        for req in comps[c].requires:
            if "::" not in req and req not in order:
                visit(req)
        if c not in order:
            order.append(c)

    for c in comps:
        visit(c)
    for c in order:
        comp = comps[c]
        links = [names[q] if "::" not in q else q for q in comp.requires] + comp.system_libs
        lines += ["if(NOT TARGET %s)" % names[c],
                  "  add_library(%s INTERFACE IMPORTED)" % names[c],
                  "  set_target_properties(%s PROPERTIES" % names[c],
                  '    INTERFACE_INCLUDE_DIRECTORIES "%s"' % cmake_list(os.path.join(pkg, i) for i in comp.includedirs),
                  '    INTERFACE_COMPILE_DEFINITIONS "%s"' % cmake_list(comp.defines),
                  '    INTERFACE_LINK_LIBRARIES "%s")' % cmake_list(links),
                  "endif()"]
    lines += ["if(NOT TARGET %s)" % root_target,
              "  add_library(%s INTERFACE IMPORTED)" % root_target,
              '  set_target_properties(%s PROPERTIES INTERFACE_LINK_LIBRARIES "%s")'
              % (root_target, cmake_list(names[c] for c in order)),
              "endif()",
              "set(%s_FOUND TRUE)" % file_name]
    with open(os.path.join(out, "%s-config.cmake" % file_name), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(out, "%s-config-version.cmake" % file_name), "w") as f:
        f.write('set(PACKAGE_VERSION "%s")\nset(PACKAGE_VERSION_COMPATIBLE TRUE)\n' % recipe.version)
    if "asio" in deps:
        # Conan Center's asio/1.x recipe: headers, ASIO_STANDALONE, pthread on Linux; its default
        # CMakeDeps names are asio-config.cmake and asio::asio. Here the system's Asio stands in.
        with open(os.path.join(out, "asio-config.cmake"), "w") as f:
            f.write("if(NOT TARGET asio::asio)\n  add_library(asio::asio INTERFACE IMPORTED)\n"
                    '  set_target_properties(asio::asio PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "%s"\n'
                    '    INTERFACE_COMPILE_DEFINITIONS ASIO_STANDALONE INTERFACE_LINK_LIBRARIES pthread)\n'
                    "endif()\nset(asio_FOUND TRUE)\n" % dep_asio_include)
    return names, root_target


for with_asio in (False, True):
    tag = "with_asio=%s" % with_asio
    r = Recipe(options={"with_asio": with_asio})
    r.version = cmake_version
    r.package_folder = pkg
    r.requirements()
    asio_reqs = [q for q in r.requires_seen if q.startswith("asio/")]
    ok(len(asio_reqs) == (1 if with_asio else 0), "%s: requirements() %s asio" % (tag, "adds" if with_asio else "has no"))
    r.package_info()
    comps = r.cpp_info.components
    ok(r.cpp_info.get_property("cmake_file_name") == "natkit", "%s: cmake_file_name natkit" % tag)
    ok(sorted(comps) == (["asio", "core"] if with_asio else ["core"]), "%s: components %s" % (tag, sorted(comps)))
    for c in comps.values():
        for req in c.requires:
            if "::" in req:
                ok(any(q.startswith(req.split("::")[0] + "/") for q in r.requires_seen),
                   "%s: component requirement %s is a requirement of the recipe" % (tag, req))
            else:
                ok(req in comps, "%s: component requirement %s exists" % (tag, req))
    names, root = write_cmakedeps(os.path.join(work, "deps-asio-%d" % with_asio), r, "/usr/include")
    ok(names["core"] == "natkit::natkit" and (not with_asio or names["asio"] == "natkit::asio")
       and root not in names.values(),
       "%s: targets %s, package-wide %s" % (tag, sorted(names.values()), root))

    t = TestRecipe()
    t.dependencies = {"natkit": Attrs(options=Attrs(with_asio=with_asio))}
    t.generate()
    with open(os.path.join(work, "test_package-asio-%d.args" % with_asio), "w") as f:
        for k, v in t.cache_variables.items():
            f.write("-D%s=%s\n" % (k, ("ON" if v else "OFF") if isinstance(v, bool) else v))

sys.exit(1 if failures else 0)
