"""setup.py: what pyproject.toml cannot say.

The wheel carries a compiled library (libmig/libmig.so), so it must be
tagged for the platform it was built on, not py3-none-any.  The library
does not link against Python (SQLite loads it), so one wheel serves
every Python 3: the tag is py3-none-<platform>, as sqlite-vec's are.
Building without the library is an error, so that a pure, useless wheel
is never made by mistake: build through `make wheel`.
"""
import os
import sys

from setuptools import Distribution, setup

try:
    from wheel.bdist_wheel import bdist_wheel
except ImportError:  # without the wheel package there is no bdist_wheel
    bdist_wheel = None

HERE = os.path.dirname(os.path.abspath(__file__))
LIBS = ("libmig.so", "libmig.dylib", "libmig.dll")

if not any(os.path.exists(os.path.join(HERE, "libmig", f)) for f in LIBS):
    sys.exit("libmig: the compiled library is not in libmig/: "
             "build the wheel with `make wheel` at the top of the repository")



class BinaryDistribution(Distribution):
    """A distribution with a binary inside: built into the platform's
    build directory and installed to platlib, as extension modules are."""

    def has_ext_modules(self):
        return True


cmdclass = {}
if bdist_wheel is not None:
    class PlatformWheel(bdist_wheel):
        """A wheel for this platform, for any Python 3 (py3-none-PLAT)."""

        def get_tag(self):
            plat = super().get_tag()[2]
            return "py3", "none", plat

    cmdclass["bdist_wheel"] = PlatformWheel

setup(distclass=BinaryDistribution, cmdclass=cmdclass)
