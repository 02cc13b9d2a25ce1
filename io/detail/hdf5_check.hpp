// Checks of an HDF5 file's bytes made before the HDF5 library sees them: the sizes that
// HDF5 1.10.8 trusts before checking them against the file's end (see docs/errors.md,
// "The model-file readers"). Internal to io/.
#pragma once

#include <string>

namespace elman::detail {

// "" when the superblock, the global and local heaps and the object headers' chunk sizes all
// fit in the file; otherwise what is wrong and where, e.g. "object header continuation of
// impossible size 504684633242206464 at byte 112".
std::string hdf5_damage(const std::string& bytes);

}  // namespace elman::detail
