#include "elf_section.hpp"

#include <fstream>
#include <stdexcept>

namespace crm::core {
namespace {

// Field offsets of the ELF64 file header and section header (the System V
// gABI); only the fields read here.
constexpr std::uint64_t kHeaderSize = 64;
constexpr std::uint64_t kSectionHeaderSize = 64;
constexpr unsigned kClass64 = 2;
constexpr unsigned kLittleEndian = 1;
constexpr unsigned kTypeShared = 3;          // ET_DYN
constexpr unsigned kSectionNoBits = 8;       // SHT_NOBITS: no bytes in the file
constexpr unsigned kExtendedIndex = 0xffff;  // SHN_XINDEX

#if defined(__x86_64__)
constexpr unsigned kHostMachine = 62;  // EM_X86_64
#elif defined(__aarch64__)
constexpr unsigned kHostMachine = 183;  // EM_AARCH64
#elif defined(__riscv) && __riscv_xlen == 64
constexpr unsigned kHostMachine = 243;  // EM_RISCV
#elif defined(__powerpc64__)
constexpr unsigned kHostMachine = 21;  // EM_PPC64
#else
constexpr unsigned kHostMachine = 0;  // unknown host: not checked
#endif

std::uint64_t little(const std::string& bytes, std::size_t at, std::size_t width) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < width; ++i) {
    v |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[at + i])) << (8 * i);
  }
  return v;
}

// True when [offset, offset + size) lies within [0, limit), without overflow.
bool within(std::uint64_t offset, std::uint64_t size, std::uint64_t limit) {
  return offset <= limit && size <= limit - offset;
}

struct SectionHeader {
  std::uint64_t name = 0;  // offset into the section name table
  std::uint64_t type = 0;
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
  std::uint64_t link = 0;
};

SectionHeader section_header(const std::string& table, std::uint64_t index,
                             std::uint64_t entry_size) {
  const std::size_t at = static_cast<std::size_t>(index * entry_size);
  SectionHeader h;
  h.name = little(table, at + 0, 4);
  h.type = little(table, at + 4, 4);
  h.offset = little(table, at + 24, 8);
  h.size = little(table, at + 32, 8);
  h.link = little(table, at + 40, 4);
  return h;
}

std::string to_text(std::uint64_t v) { return std::to_string(v); }

}  // namespace

std::optional<std::string> read_elf_section(const ImageReader& read, std::uint64_t image_size,
                                            std::string_view name) {
  if (image_size < 4)
    throw std::runtime_error("not an ELF file (" + to_text(image_size) + " bytes)");
  const std::string magic = read(0, 4, "the ELF magic");
  if (magic !=
      "\x7f"
      "ELF")
    throw std::runtime_error("not an ELF file (no ELF magic number)");
  if (image_size < kHeaderSize) {
    throw std::runtime_error("truncated ELF file: " + to_text(image_size) +
                             " bytes, shorter than the 64-byte ELF header");
  }
  const std::string header = read(0, kHeaderSize, "the ELF header");
  if (static_cast<unsigned char>(header[4]) != kClass64) {
    throw std::runtime_error("not a 64-bit ELF file (class " +
                             to_text(static_cast<unsigned char>(header[4])) + ")");
  }
  if (static_cast<unsigned char>(header[5]) != kLittleEndian) {
    throw std::runtime_error("not a little-endian ELF file (data encoding " +
                             to_text(static_cast<unsigned char>(header[5])) + ")");
  }
  const std::uint64_t type = little(header, 16, 2);
  if (type != kTypeShared) {
    throw std::runtime_error("not a shared library (ELF type " + to_text(type) + ")");
  }
  const std::uint64_t machine = little(header, 18, 2);
  if (kHostMachine != 0 && machine != kHostMachine) {
    throw std::runtime_error("built for another machine (ELF machine " + to_text(machine) +
                             ", this kernel runs on " + to_text(kHostMachine) + ")");
  }
  const std::uint64_t table_offset = little(header, 40, 8);
  const std::uint64_t entry_size = little(header, 58, 2);
  std::uint64_t count = little(header, 60, 2);
  std::uint64_t names_index = little(header, 62, 2);
  if (table_offset == 0) throw std::runtime_error("ELF file without section headers");
  if (entry_size < kSectionHeaderSize) {
    throw std::runtime_error("bad ELF section header size " + to_text(entry_size) +
                             " (at least 64 expected)");
  }
  if (!within(table_offset, entry_size, image_size)) {
    throw std::runtime_error("truncated ELF file: the section headers at offset " +
                             to_text(table_offset) + " lie beyond its " + to_text(image_size) +
                             " bytes");
  }
  // With 0xff00 sections or more, the count and the name table's index are
  // in the first section header (the gABI's extended numbering).
  if (count == 0 || names_index == kExtendedIndex) {
    const SectionHeader first =
        section_header(read(table_offset, entry_size, "the first section header"), 0, entry_size);
    if (count == 0) count = first.size;
    if (names_index == kExtendedIndex) names_index = first.link;
  }
  if (count > (image_size - table_offset) / entry_size) {
    throw std::runtime_error("truncated ELF file: " + to_text(count) +
                             " section headers do not fit in its " + to_text(image_size) +
                             " bytes");
  }
  if (names_index >= count) {
    throw std::runtime_error("bad ELF file: section name table index " + to_text(names_index) +
                             " of " + to_text(count) + " sections");
  }
  const std::string table = read(table_offset, count * entry_size, "the section headers");
  const SectionHeader names = section_header(table, names_index, entry_size);
  if (names.type == kSectionNoBits || !within(names.offset, names.size, image_size)) {
    throw std::runtime_error("truncated ELF file: the section name table lies beyond its " +
                             to_text(image_size) + " bytes");
  }
  const std::string name_table = read(names.offset, names.size, "the section name table");
  for (std::uint64_t i = 0; i < count; ++i) {
    const SectionHeader s = section_header(table, i, entry_size);
    if (s.name >= name_table.size()) continue;
    const std::size_t end = name_table.find('\0', static_cast<std::size_t>(s.name));
    if (end == std::string::npos) continue;  // an unterminated name is not ours
    if (std::string_view(name_table).substr(s.name, end - s.name) != name) continue;
    if (s.type == kSectionNoBits) {
      throw std::runtime_error("section " + std::string(name) + " has no bytes in the file");
    }
    if (!within(s.offset, s.size, image_size)) {
      throw std::runtime_error("truncated ELF file: section " + std::string(name) + " (" +
                               to_text(s.size) + " bytes at offset " + to_text(s.offset) +
                               ") lies beyond its " + to_text(image_size) + " bytes");
    }
    return read(s.offset, s.size, "the section");
  }
  return std::nullopt;
}

std::optional<std::string> read_elf_section(const std::filesystem::path& file,
                                            std::string_view name) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open the file");
  std::error_code ec;
  const std::uint64_t size = std::filesystem::file_size(file, ec);
  if (ec) throw std::runtime_error("cannot read the file size: " + ec.message());
  const ImageReader read = [&in, size](std::uint64_t offset, std::uint64_t n, const char* what) {
    if (!within(offset, n, size)) {
      throw std::runtime_error(std::string("truncated ELF file: ") + what + " lies beyond its " +
                               std::to_string(size) + " bytes");
    }
    std::string bytes(static_cast<std::size_t>(n), '\0');
    in.seekg(static_cast<std::streamoff>(offset));
    in.read(bytes.data(), static_cast<std::streamsize>(n));
    if (!in) throw std::runtime_error(std::string("cannot read ") + what + " from the file");
    return bytes;
  };
  return read_elf_section(read, size, name);
}

std::optional<std::string> read_elf_section(std::string_view image, std::string_view name) {
  const ImageReader read = [image](std::uint64_t offset, std::uint64_t n, const char* what) {
    if (!within(offset, n, image.size())) {
      throw std::runtime_error(std::string("truncated ELF file: ") + what + " lies beyond its " +
                               std::to_string(image.size()) + " bytes");
    }
    return std::string(image.substr(static_cast<std::size_t>(offset), static_cast<std::size_t>(n)));
  };
  return read_elf_section(read, image.size(), name);
}

}  // namespace crm::core
