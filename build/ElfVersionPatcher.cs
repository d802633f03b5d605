// Marks one symbol-version requirement of an ELF64 little-endian shared library as weak
// (VER_FLG_WEAK in the matching Vernaux entry of .gnu.version_r), so the dynamic loader
// accepts a libstdc++ that lacks that version (e.g. TorchSharp 0.107.0 needs GLIBCXX_3.4.32,
// Debian 12 ships up to GLIBCXX_3.4.30).
//
// Compiled twice: as an MSBuild inline task (RoslynCodeTaskFactory, Type="Class", against the
// netstandard reference assemblies, see Directory.Build.targets) and into the Jobs test project.
// Keep it to netstandard2.0 APIs and to the usings below.
#nullable enable

using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace DigitGan.Build
{
    public enum PatchResult
    {
        /// <summary>The requirement was found and at least one entry was changed to weak.</summary>
        Patched,

        /// <summary>The requirement was found and every matching entry is already weak; the file was not written.</summary>
        AlreadyWeak,

        /// <summary>The library does not require that version; the file was not written.</summary>
        NotReferenced,
    }

    public static class ElfVersionPatcher
    {
        private const uint ShtGnuVerdef = 0x6ffffffd;
        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const ushort VerFlgWeak = 0x2;
        private const int Elf64HeaderSize = 64;
        private const int Elf64SectionHeaderSize = 64;

        private static readonly string[] SystemLibStdCxxCandidates =
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib64/libstdc++.so.6",
            "/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
        };

        /// <summary>
        /// Sets VER_FLG_WEAK on every Vernaux entry named <paramref name="versionName"/>.
        /// The file is rewritten only when something changed, via a sibling temp file that
        /// replaces it, so a hard- or symbolic link to a shared copy (NuGet cache) is never written through.
        /// </summary>
        /// <exception cref="InvalidDataException">Not an ELF64 little-endian file, or truncated/corrupt.</exception>
        public static PatchResult MarkVersionWeak(string path, string versionName)
        {
            if (path == null)
            {
                throw new ArgumentNullException(nameof(path));
            }

            if (string.IsNullOrEmpty(versionName))
            {
                throw new ArgumentException("A version name is required.", nameof(versionName));
            }

            byte[] data = File.ReadAllBytes(path);
            byte[] name = Encoding.ASCII.GetBytes(versionName);
            bool found = false;
            bool changed = false;

            SectionHeader[] headers = ReadSectionHeaders(data, path);
            foreach (SectionHeader section in headers)
            {
                if (section.Type != ShtGnuVerneed)
                {
                    continue;
                }

                SectionHeader strtab = GetLinkedStringTable(data, path, headers, section);
                long end = section.Offset + section.Size;
                long entry = section.Offset;

                // sh_info holds the number of Verneed entries; bound the walk by it (and the section).
                for (uint i = 0; i < section.Info; i++)
                {
                    Require(data, path, entry, 16, end, "Verneed entry");
                    ushort auxCount = ReadU16(data, entry + 2);
                    uint auxOffset = ReadU32(data, entry + 8);
                    uint next = ReadU32(data, entry + 12);

                    long aux = entry + auxOffset;
                    for (int j = 0; j < auxCount; j++)
                    {
                        Require(data, path, aux, 16, end, "Vernaux entry");
                        ushort flags = ReadU16(data, aux + 4);
                        uint nameOffset = ReadU32(data, aux + 8);
                        uint auxNext = ReadU32(data, aux + 12);

                        if (StringEquals(data, path, strtab, nameOffset, name))
                        {
                            found = true;
                            if ((flags & VerFlgWeak) == 0)
                            {
                                WriteU16(data, aux + 4, (ushort)(flags | VerFlgWeak));
                                changed = true;
                            }
                        }

                        if (auxNext == 0)
                        {
                            break;
                        }

                        aux += auxNext;
                    }

                    if (next == 0)
                    {
                        break;
                    }

                    entry += next;
                }
            }

            if (!found)
            {
                return PatchResult.NotReferenced;
            }

            if (!changed)
            {
                return PatchResult.AlreadyWeak;
            }

            ReplaceContents(path, data);
            return PatchResult.Patched;
        }

        /// <summary>
        /// True when the library defines <paramref name="versionName"/> (its .gnu.version_d section names it).
        /// Falls back to a byte search for the NUL-terminated name when the file cannot be parsed as ELF64 LE.
        /// </summary>
        public static bool FileProvidesVersion(string libraryPath, string versionName)
        {
            if (libraryPath == null)
            {
                throw new ArgumentNullException(nameof(libraryPath));
            }

            if (string.IsNullOrEmpty(versionName))
            {
                throw new ArgumentException("A version name is required.", nameof(versionName));
            }

            byte[] data = File.ReadAllBytes(libraryPath);
            byte[] name = Encoding.ASCII.GetBytes(versionName);
            try
            {
                return DefinesVersion(data, libraryPath, name);
            }
            catch (InvalidDataException)
            {
                byte[] needle = new byte[name.Length + 1];
                Buffer.BlockCopy(name, 0, needle, 0, name.Length);
                return IndexOf(data, needle) >= 0;
            }
        }

        /// <summary>The first existing well-known path of the system libstdc++.so.6, or null.</summary>
        public static string? FindSystemLibStdCxx()
        {
            foreach (string candidate in SystemLibStdCxxCandidates)
            {
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }

            return null;
        }

        private static bool DefinesVersion(byte[] data, string path, byte[] name)
        {
            SectionHeader[] headers = ReadSectionHeaders(data, path);
            foreach (SectionHeader section in headers)
            {
                if (section.Type != ShtGnuVerdef)
                {
                    continue;
                }

                SectionHeader strtab = GetLinkedStringTable(data, path, headers, section);
                long end = section.Offset + section.Size;
                long entry = section.Offset;

                // Elf64_Verdef: vd_version u16, vd_flags u16, vd_ndx u16, vd_cnt u16, vd_hash u32, vd_aux u32, vd_next u32.
                // The first Verdaux (vda_name u32, vda_next u32) names the defined version.
                for (uint i = 0; i < section.Info; i++)
                {
                    Require(data, path, entry, 20, end, "Verdef entry");
                    ushort auxCount = ReadU16(data, entry + 6);
                    uint auxOffset = ReadU32(data, entry + 12);
                    uint next = ReadU32(data, entry + 16);

                    if (auxCount > 0)
                    {
                        long aux = entry + auxOffset;
                        Require(data, path, aux, 8, end, "Verdaux entry");
                        if (StringEquals(data, path, strtab, ReadU32(data, aux), name))
                        {
                            return true;
                        }
                    }

                    if (next == 0)
                    {
                        break;
                    }

                    entry += next;
                }
            }

            return false;
        }

        private static SectionHeader[] ReadSectionHeaders(byte[] data, string path)
        {
            if (data.Length < 4 || data[0] != 0x7f || data[1] != (byte)'E' || data[2] != (byte)'L' || data[3] != (byte)'F')
            {
                throw new InvalidDataException($"'{path}' is not an ELF file (bad magic).");
            }

            if (data.Length < Elf64HeaderSize)
            {
                throw new InvalidDataException($"'{path}' is truncated: {data.Length} bytes is shorter than the ELF64 header.");
            }

            if (data[4] != 2)
            {
                throw new InvalidDataException($"'{path}' is not a 64-bit ELF file (EI_CLASS={data[4]}).");
            }

            if (data[5] != 1)
            {
                throw new InvalidDataException($"'{path}' is not a little-endian ELF file (EI_DATA={data[5]}).");
            }

            ulong shoff = ReadU64(data, 0x28);
            ushort shentsize = ReadU16(data, 0x3A);
            long shnum = ReadU16(data, 0x3C);

            if (shoff == 0)
            {
                return Array.Empty<SectionHeader>();
            }

            if (shentsize < Elf64SectionHeaderSize)
            {
                throw new InvalidDataException($"'{path}' has an invalid section header size ({shentsize}).");
            }

            if (shoff > (ulong)data.Length)
            {
                throw new InvalidDataException($"'{path}' is truncated: section header table at offset {shoff} lies beyond the end of the file ({data.Length} bytes).");
            }

            if (shnum == 0)
            {
                // Extended numbering: the real count is in sh_size of section header 0.
                Require(data, path, (long)shoff, Elf64SectionHeaderSize, data.Length, "section header 0");
                ulong extended = ReadU64(data, (long)shoff + 32);
                if (extended > int.MaxValue)
                {
                    throw new InvalidDataException($"'{path}' has an implausible section count ({extended}).");
                }

                shnum = (long)extended;
            }

            Require(data, path, (long)shoff, shnum * shentsize, data.Length, "section header table");

            var headers = new SectionHeader[shnum];
            for (long i = 0; i < shnum; i++)
            {
                long at = (long)shoff + (i * shentsize);
                ulong offset = ReadU64(data, at + 24);
                ulong size = ReadU64(data, at + 32);
                headers[i] = new SectionHeader(
                    ReadU32(data, at + 4),
                    offset > long.MaxValue ? long.MaxValue : (long)offset,
                    size > long.MaxValue ? long.MaxValue : (long)size,
                    ReadU32(data, at + 40),
                    ReadU32(data, at + 44));
            }

            foreach (SectionHeader header in headers)
            {
                if (header.Type == ShtGnuVerneed || header.Type == ShtGnuVerdef)
                {
                    Require(data, path, header.Offset, header.Size, data.Length, "symbol version section");
                }
            }

            return headers;
        }

        private static SectionHeader GetLinkedStringTable(byte[] data, string path, SectionHeader[] headers, SectionHeader section)
        {
            if (section.Link == 0 || section.Link >= headers.Length)
            {
                throw new InvalidDataException($"'{path}' has a symbol version section with an invalid string table link ({section.Link}).");
            }

            SectionHeader strtab = headers[section.Link];
            Require(data, path, strtab.Offset, strtab.Size, data.Length, "string table");
            return strtab;
        }

        private static bool StringEquals(byte[] data, string path, SectionHeader strtab, uint offset, byte[] name)
        {
            if (offset >= strtab.Size)
            {
                throw new InvalidDataException($"'{path}' has a version name offset ({offset}) outside its string table.");
            }

            long start = strtab.Offset + offset;
            long end = strtab.Offset + strtab.Size;
            if (start + name.Length >= end)
            {
                return false;
            }

            for (int k = 0; k < name.Length; k++)
            {
                if (data[start + k] != name[k])
                {
                    return false;
                }
            }

            return data[start + name.Length] == 0;
        }

        private static void Require(byte[] data, string path, long offset, long length, long limit, string what)
        {
            if (offset < 0 || length < 0 || offset > limit - length || limit > data.Length)
            {
                throw new InvalidDataException($"'{path}' is truncated or corrupt: {what} at offset {offset} (+{length} bytes) lies outside its bounds.");
            }
        }

        private static void ReplaceContents(string path, byte[] data)
        {
            string fullPath = Path.GetFullPath(path);
            string directory = Path.GetDirectoryName(fullPath) ?? ".";
            string temp = Path.Combine(directory, "." + Path.GetFileName(fullPath) + "." + Guid.NewGuid().ToString("N") + ".tmp");
            try
            {
                // File.Copy keeps the file mode; the rename then replaces the directory entry itself.
                File.Copy(fullPath, temp, false);
                File.WriteAllBytes(temp, data);
                File.Replace(temp, fullPath, null);
            }
            finally
            {
                if (File.Exists(temp))
                {
                    File.Delete(temp);
                }
            }
        }

        private static int IndexOf(byte[] haystack, byte[] needle)
        {
            int last = haystack.Length - needle.Length;
            for (int i = 0; i <= last; i++)
            {
                if (haystack[i] != needle[0])
                {
                    continue;
                }

                int k = 1;
                while (k < needle.Length && haystack[i + k] == needle[k])
                {
                    k++;
                }

                if (k == needle.Length)
                {
                    return i;
                }
            }

            return -1;
        }

        private static ushort ReadU16(byte[] data, long at) =>
            (ushort)(data[at] | (data[at + 1] << 8));

        private static uint ReadU32(byte[] data, long at) =>
            data[at] | ((uint)data[at + 1] << 8) | ((uint)data[at + 2] << 16) | ((uint)data[at + 3] << 24);

        private static ulong ReadU64(byte[] data, long at) =>
            ReadU32(data, at) | ((ulong)ReadU32(data, at + 4) << 32);

        private static void WriteU16(byte[] data, long at, ushort value)
        {
            data[at] = (byte)value;
            data[at + 1] = (byte)(value >> 8);
        }

        private readonly struct SectionHeader
        {
            public SectionHeader(uint type, long offset, long size, uint link, uint info)
            {
                Type = type;
                Offset = offset;
                Size = size;
                Link = link;
                Info = info;
            }

            public uint Type { get; }

            public long Offset { get; }

            public long Size { get; }

            public uint Link { get; }

            public uint Info { get; }
        }
    }

    /// <summary>
    /// MSBuild task: marks <see cref="VersionName"/> weak in each of <see cref="Files"/>, unless the
    /// system libstdc++ already provides that version (then nothing needs patching).
    /// </summary>
    public sealed class MarkGlibcxxWeak : Microsoft.Build.Utilities.Task
    {
        [Required]
        public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();

        public string VersionName { get; set; } = "GLIBCXX_3.4.32";

        public override bool Execute()
        {
            string? libStdCxx = ElfVersionPatcher.FindSystemLibStdCxx();
            if (libStdCxx != null)
            {
                try
                {
                    if (ElfVersionPatcher.FileProvidesVersion(libStdCxx, VersionName))
                    {
                        Log.LogMessage(MessageImportance.Low, "MarkGlibcxxWeak: {0} provides {1}; {2} file(s) left unpatched.", libStdCxx, VersionName, Files.Length);
                        return true;
                    }
                }
                catch (IOException ex)
                {
                    Log.LogMessage(MessageImportance.Low, "MarkGlibcxxWeak: could not inspect {0} ({1}); patching anyway.", libStdCxx, ex.Message);
                }
                catch (UnauthorizedAccessException ex)
                {
                    Log.LogMessage(MessageImportance.Low, "MarkGlibcxxWeak: could not inspect {0} ({1}); patching anyway.", libStdCxx, ex.Message);
                }
            }

            foreach (ITaskItem item in Files)
            {
                string file = item.GetMetadata("FullPath");
                if (string.IsNullOrEmpty(file))
                {
                    file = item.ItemSpec;
                }

                try
                {
                    PatchResult result = ElfVersionPatcher.MarkVersionWeak(file, VersionName);
                    Log.LogMessage(MessageImportance.Normal, "MarkGlibcxxWeak: {0}: {1} {2}.", file, VersionName, Describe(result));
                }
                catch (InvalidDataException ex)
                {
                    Log.LogError("MarkGlibcxxWeak: cannot patch '{0}': {1}", file, ex.Message);
                }
                catch (IOException ex)
                {
                    Log.LogError("MarkGlibcxxWeak: cannot patch '{0}': {1}", file, ex.Message);
                }
                catch (UnauthorizedAccessException ex)
                {
                    Log.LogError("MarkGlibcxxWeak: cannot patch '{0}': {1}", file, ex.Message);
                }
            }

            return !Log.HasLoggedErrors;
        }

        private static string Describe(PatchResult result)
        {
            switch (result)
            {
                case PatchResult.Patched:
                    return "requirement marked weak (Patched)";
                case PatchResult.AlreadyWeak:
                    return "requirement already weak (AlreadyWeak)";
                default:
                    return "not referenced, file unchanged (NotReferenced)";
            }
        }
    }
}
