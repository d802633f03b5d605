using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.Options;

namespace DigitGan.Web.Security;

/// <summary>Decrypts what <see cref="SecretXmlEncryptor"/> wrote; the data-protection system creates it with the app's services.</summary>
public sealed class SecretXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        var secret = services.GetRequiredService<IOptions<AuthOptions>>().Value.DataProtectionSecret;
        if (string.IsNullOrEmpty(secret))
        {
            throw new CryptographicException("A data-protection key in the store is encrypted, but DigitGan:Auth:DataProtectionSecret is not set: set it to the secret the keys were encrypted with (Key Vault secret data-protection-secret).");
        }

        var nonce = Convert.FromBase64String(encryptedElement.Element("nonce")!.Value);
        var tag = Convert.FromBase64String(encryptedElement.Element("tag")!.Value);
        var ciphertext = Convert.FromBase64String(encryptedElement.Element("value")!.Value);
        var plaintext = new byte[ciphertext.Length];
        using (var aes = new AesGcm(SecretXmlEncryptor.DeriveKey(secret), tag.Length))
        {
            aes.Decrypt(nonce, ciphertext, tag, plaintext);
        }

        return XElement.Parse(Encoding.UTF8.GetString(plaintext));
    }
}
