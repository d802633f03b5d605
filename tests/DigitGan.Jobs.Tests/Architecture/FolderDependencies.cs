using System.Reflection;
using System.Reflection.Emit;

namespace DigitGan.Jobs.Tests.Architecture;

/// <summary>Which folders (namespace segments after a prefix) of an assembly use which, read from signatures and IL, nested types included.</summary>
public static class FolderDependencies
{
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly (OpCode[] OneByte, OpCode[] TwoByte) OpCodeTable = BuildOpCodeTable();

    /// <summary>Every (from, to) pair of distinct folders under <paramref name="namespacePrefix"/> where a type of one uses a type of the other.</summary>
    public static IReadOnlySet<(string From, string To)> Read(Assembly assembly, string namespacePrefix)
    {
        var edges = new HashSet<(string, string)>();
        foreach (var type in assembly.GetTypes().Where(t => !t.IsNested))
        {
            if (FolderOf(type, namespacePrefix) is not { } from)
            {
                continue;
            }

            foreach (var used in TypesUsedBy(type))
            {
                if (FolderOf(used, namespacePrefix) is { } to && to != from)
                {
                    edges.Add((from, to));
                }
            }
        }

        return edges;
    }

    /// <summary>The edges that <paramref name="allowed"/> (folder -> the folders it may use) does not permit, as "From -> To".</summary>
    public static IReadOnlyList<string> Violations(IEnumerable<(string From, string To)> edges, IReadOnlyDictionary<string, string[]> allowed) =>
        [.. edges.Where(e => !allowed.TryGetValue(e.From, out var targets) || !targets.Contains(e.To)).Select(e => $"{e.From} -> {e.To}").Order(StringComparer.Ordinal)];

    /// <summary>The folder of <paramref name="type"/> under <paramref name="namespacePrefix"/>, or null for a type outside it.</summary>
    public static string? FolderOf(Type type, string namespacePrefix) =>
        type.Namespace is { } ns && ns.StartsWith(namespacePrefix + ".", StringComparison.Ordinal) ? ns[(namespacePrefix.Length + 1)..].Split('.')[0] : null;

    /// <summary>Every type that <paramref name="type"/> and the types nested in it use, generic arguments and element types unwrapped.</summary>
    public static IEnumerable<Type> TypesUsedBy(Type type)
    {
        IEnumerable<Type?> direct =
        [
            type.BaseType,
            .. type.GetInterfaces(),
            .. type.GetCustomAttributesData().Select(a => a.AttributeType),
            .. type.GetFields(Declared).Select(f => f.FieldType),
            .. type.GetProperties(Declared).Select(p => p.PropertyType),
            .. type.GetEvents(Declared).Select(e => e.EventHandlerType),
            .. type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)).SelectMany(TypesUsedBy),
        ];
        return direct.SelectMany(Unwrap).Concat(type.GetNestedTypes(BindingFlags.Public | BindingFlags.NonPublic).SelectMany(TypesUsedBy));
    }

    private static IEnumerable<Type?> TypesUsedBy(MethodBase method) =>
        TypesOf(method).Concat(method.GetMethodBody()?.LocalVariables.Select(l => l.LocalType) ?? []).Concat(MembersNamedIn(method).SelectMany(TypesOf));

    private static IEnumerable<Type?> TypesOf(MemberInfo member) => member switch
    {
        Type type => [type],
        FieldInfo field => [field.DeclaringType, field.FieldType],
        MethodInfo method => [method.DeclaringType, method.ReturnType, .. method.GetParameters().Select(p => p.ParameterType), .. method.IsGenericMethod ? method.GetGenericArguments() : []],
        ConstructorInfo constructor => [constructor.DeclaringType, .. constructor.GetParameters().Select(p => p.ParameterType)],
        _ => [member.DeclaringType],
    };

    private static IEnumerable<Type> Unwrap(Type? type)
    {
        if (type is null || type.IsGenericParameter)
        {
            return [];
        }

        if (type.HasElementType)
        {
            return Unwrap(type.GetElementType());
        }

        return type.IsGenericType && !type.IsGenericTypeDefinition
            ? Unwrap(type.GetGenericTypeDefinition()).Concat(type.GetGenericArguments().SelectMany(Unwrap))
            : [type];
    }

    /// <summary>The types, methods and fields that the IL of <paramref name="method"/> names in its operands.</summary>
    private static IEnumerable<MemberInfo> MembersNamedIn(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray() ?? [];
        var typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        var methodArguments = method is MethodInfo { IsGenericMethod: true } ? method.GetGenericArguments() : null;
        for (var at = 0; at < il.Length;)
        {
            var code = il[at] == 0xFE ? OpCodeTable.TwoByte[il[at + 1]] : OpCodeTable.OneByte[il[at]];
            at += code.Size;
            switch (code.OperandType)
            {
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType:
                    yield return method.Module.ResolveMember(BitConverter.ToInt32(il, at), typeArguments, methodArguments)!;
                    at += 4;
                    break;
                case OperandType.InlineSwitch:
                    at += 4 + (4 * BitConverter.ToInt32(il, at));
                    break;
                default:
                    at += OperandSize(code.OperandType);
                    break;
            }
        }
    }

    private static int OperandSize(OperandType operand) => operand switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        _ => 4,
    };

    private static (OpCode[] OneByte, OpCode[] TwoByte) BuildOpCodeTable()
    {
        var (oneByte, twoByte) = (new OpCode[256], new OpCode[256]);
        foreach (var code in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (OpCode)f.GetValue(null)!))
        {
            var value = (ushort)code.Value;
            if (code.Size == 1)
            {
                oneByte[value] = code;
            }
            else
            {
                twoByte[value & 0xFF] = code;
            }
        }

        return (oneByte, twoByte);
    }
}
