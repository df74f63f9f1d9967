// Reading one named section of an ELF64 little-endian file without loading
// it: how the kernel reads a plugin's manifest before any of its code runs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace crm::core {

// Reads `size` bytes at `offset` of an image; throws std::runtime_error
// naming `what` when they are not all there.
using ImageReader =
    std::function<std::string(std::uint64_t offset, std::uint64_t size, const char* what)>;

// The contents of section `name` of the ELF image `read` gives access to,
// whose total length is `image_size`; nullopt when the image is a valid ELF
// file without that section. Every offset and size is checked against
// `image_size` before it is read. Throws std::runtime_error with the reason:
// not ELF, not 64-bit little-endian, not a shared library, built for another
// machine, truncated, or section headers that point outside the file.
std::optional<std::string> read_elf_section(const ImageReader& read, std::uint64_t image_size,
                                            std::string_view name);

// The same over a file; the reason is prefixed with nothing (the caller
// names the file). Throws std::runtime_error when it cannot be read.
std::optional<std::string> read_elf_section(const std::filesystem::path& file,
                                            std::string_view name);

// The same over bytes in memory (the fuzz target).
std::optional<std::string> read_elf_section(std::string_view image, std::string_view name);

}  // namespace crm::core
