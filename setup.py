"""Build hook: the project's own cffi module (compositor/ffi/build.py) is compiled at install time."""

from setuptools import setup

setup(cffi_modules=["compositor/ffi/build.py:ffibuilder"])
