using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace DigitGan.Web.Security;

/// <summary>
/// Encrypts data-protection keys at rest with AES-GCM under a key derived from a secret kept in Key Vault (injected as
/// DigitGan:Auth:DataProtectionSecret), so the keys in blob storage are useless to someone who can only read the blobs.
/// </summary>
public sealed class SecretXmlEncryptor(string secret) : IXmlEncryptor
{
    public const string ElementName = "aesGcmEncryptedKey";

    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var plaintext = Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[AesGcm.TagByteSizes.MaxSize];
        using (var aes = new AesGcm(DeriveKey(secret), tag.Length))
        {
            aes.Encrypt(nonce, plaintext, ciphertext, tag);
        }

        var element = new XElement(ElementName,
            new XElement("nonce", Convert.ToBase64String(nonce)),
            new XElement("tag", Convert.ToBase64String(tag)),
            new XElement("value", Convert.ToBase64String(ciphertext)));
        return new EncryptedXmlInfo(element, typeof(SecretXmlDecryptor));
    }

    /// <summary>A 256-bit key from the secret (HKDF-SHA256), whatever the secret's length.</summary>
    public static byte[] DeriveKey(string secret) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret), 32, info: "DigitGan data-protection keys"u8.ToArray());
}
