package dev.xdperf.registry.server;

/** A refused request: the HTTP status and one sentence for the JSON error body. */
final class ApiError extends RuntimeException {
    final int status;

    ApiError(int status, String message) {
        super(message);
        this.status = status;
    }

    static ApiError badRequest(String m) {
        return new ApiError(400, m);
    }

    static ApiError unauthorized(String m) {
        return new ApiError(401, m);
    }

    static ApiError forbidden(String m) {
        return new ApiError(403, m);
    }

    static ApiError notFound(String m) {
        return new ApiError(404, m);
    }

    static ApiError conflict(String m) {
        return new ApiError(409, m);
    }

    static ApiError tooLarge(String m) {
        return new ApiError(413, m);
    }

    static ApiError unsupportedType(String m) {
        return new ApiError(415, m);
    }

    static ApiError unprocessable(String m) {
        return new ApiError(422, m);
    }
}
