"""Build hooks: generate wl_drm's bindings and compile the project's cffi module at install."""

import runpy

from setuptools import setup

# wl_drm's pywayland bindings are generated from protocols/wayland-drm.xml into the ignored
# compositor/protocols_gen/ package before setuptools collects the packages.
runpy.run_path("compositor/wl_drm/scan.py", run_name="__main__")

setup(cffi_modules=["compositor/ffi/build.py:ffibuilder"])
