/// A value of the Python literal subset that numpy writes in `.npy` headers, with the absolute byte offset
/// in the file where it starts.
///
/// The subset: dicts with string keys, lists, tuples, strings in single or double quotes without escapes,
/// decimal integers, `True`, `False` and `None`. ``NPYHeaderParser`` builds these; the `.npy` reader then
/// checks that the dict holds exactly `descr`, `fortran_order` and `shape`.
struct PythonLiteral: Sendable {
    /// One `key: value` entry of a dict.
    struct Item: Sendable {
        /// The key (keys are always strings in this subset).
        var key: String
        /// Where the key's opening quote is in the file.
        var keyOffset: Int
        /// The value.
        var value: PythonLiteral
    }

    /// The value's kind and contents.
    enum Value: Sendable {
        case dict([Item])
        case list([PythonLiteral])
        case tuple([PythonLiteral])
        case string(String)
        case integer(Int)
        case bool(Bool)
        case none
    }

    /// The value.
    var value: Value
    /// Absolute byte offset in the file of the value's first character.
    var offset: Int

    /// Python's name for the value's type: `dict`, `list`, `tuple`, `str`, `int`, `bool` or `NoneType`.
    var typeName: String {
        switch value {
        case .dict: "dict"
        case .list: "list"
        case .tuple: "tuple"
        case .string: "str"
        case .integer: "int"
        case .bool: "bool"
        case .none: "NoneType"
        }
    }

    /// The value as Python's `repr` spells it: `{'a': (1,)}`, `[('x', '<f4')]`, `True`.
    var repr: String {
        switch value {
        case .dict(let items): "{" + items.map { "'\($0.key)': \($0.value.repr)" }.joined(separator: ", ") + "}"
        case .list(let elements): "[" + elements.map(\.repr).joined(separator: ", ") + "]"
        case .tuple(let elements) where elements.count == 1: "(\(elements[0].repr),)"
        case .tuple(let elements): "(" + elements.map(\.repr).joined(separator: ", ") + ")"
        case .string(let text): "'\(text)'"
        case .integer(let number): String(number)
        case .bool(let flag): flag ? "True" : "False"
        case .none: "None"
        }
    }

    /// ``repr`` cut to at most 80 characters, for messages.
    var shortRepr: String {
        let full = repr
        return full.count <= 80 ? full : String(full.prefix(79)) + "…"
    }
}
