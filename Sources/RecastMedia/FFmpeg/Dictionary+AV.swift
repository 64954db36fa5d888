import CFFmpeg

/// Builds an AVDictionary of options for one FFmpeg call and frees it afterwards.
func withAVDictionary<Result>(_ options: [String: String], _ body: (inout OpaquePointer?) throws -> Result) rethrows -> Result {
    var dictionary: OpaquePointer?
    for (key, value) in options { av_dict_set(&dictionary, key, value, 0) }
    defer { av_dict_free(&dictionary) }
    return try body(&dictionary)
}
