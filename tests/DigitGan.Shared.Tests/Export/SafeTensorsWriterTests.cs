using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using DigitGan.Shared.Export;
using Xunit;

namespace DigitGan.Shared.Tests.Export;

public sealed class SafeTensorsWriterTests
{
    [Fact]
    public void The_header_is_padded_to_8_bytes_and_the_offsets_follow_each_other()
    {
        var a = new StoredTensor("a.weight", "F32", [2, 3], new byte[24]);
        var b = new StoredTensor("b.count", "I64", [], BitConverter.GetBytes(7L));
        var file = SafeTensorsWriter.Write([a, b], new Dictionary<string, string> { ["epoch"] = "3" });

        var length = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        Assert.Equal(0, length % 8);
        var headerText = Encoding.UTF8.GetString(file, 8, length);
        using var header = JsonDocument.Parse(headerText);
        Assert.Equal("3", header.RootElement.GetProperty("__metadata__").GetProperty("epoch").GetString());
        Assert.Equal("[0,24]", header.RootElement.GetProperty("a.weight").GetProperty("data_offsets").GetRawText());
        Assert.Equal("[24,32]", header.RootElement.GetProperty("b.count").GetProperty("data_offsets").GetRawText());
        Assert.Equal("[]", header.RootElement.GetProperty("b.count").GetProperty("shape").GetRawText());
        Assert.Equal(8 + length + 32, file.Length);
        Assert.Equal(7L, BitConverter.ToInt64(file, 8 + length + 24));
    }

    [Fact]
    public void Data_that_does_not_fit_its_shape_is_refused()
        => Assert.Throws<ArgumentException>(() => SafeTensorsWriter.Write([new StoredTensor("x", "F32", [3], new byte[8])]));

    [Fact]
    public void A_torchsharp_state_dict_is_read_entry_by_entry_and_a_truncated_one_is_a_readable_error()
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write((byte)1);          // one entry (LEB128)
            writer.Write("w");              // name
            writer.Write((byte)6);          // Float32
            writer.Write((byte)2);          // rank 2
            writer.Write((byte)0x80);       // 128 as LEB128: 0x80 0x01
            writer.Write((byte)0x01);
            writer.Write((byte)1);
            writer.Write(new byte[128 * 4]);
        }

        var tensors = TorchSharpStateDict.Read(new BinaryReader(new MemoryStream(buffer.ToArray())), "test");
        var tensor = Assert.Single(tensors);
        Assert.Equal(("w", "F32", 128L * 4), (tensor.Name, tensor.DType, (long)tensor.Data.Length));
        Assert.Equal([128L, 1L], tensor.Shape);

        var truncated = buffer.ToArray()[..100];
        var error = Assert.Throws<InvalidDataException>(() => TorchSharpStateDict.Read(new BinaryReader(new MemoryStream(truncated)), "cut.ckpt"));
        Assert.Contains("cut.ckpt", error.Message, StringComparison.Ordinal);
    }
}
