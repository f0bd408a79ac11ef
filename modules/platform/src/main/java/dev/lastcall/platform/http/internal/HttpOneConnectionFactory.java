package dev.lastcall.platform.http.internal;

import org.eclipse.jetty.http.HttpCompliance;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.internal.HttpConnection;

/**
 * Jetty's HTTP/1 connections, with {@link HttpOneParser}'s reading of the request line's version
 * (Jetty's own parser answers every version but 1.0, 1.1 and 2.0 with 505, and has no setting for it).
 */
final class HttpOneConnectionFactory extends HttpConnectionFactory {

    HttpOneConnectionFactory(HttpConfiguration configuration) {
        super(configuration);
    }

    @Override
    public Connection newConnection(Connector connector, EndPoint endPoint) {
        HttpConnection connection = new HttpConnection(getHttpConfiguration(), connector, endPoint) {
            @Override
            protected HttpParser newHttpParser(HttpCompliance compliance) {
                HttpParser jettys = super.newHttpParser(compliance);
                HttpParser parser = new HttpOneParser((HttpParser.RequestHandler) jettys.getHandler(),
                        getHttpConfiguration().getRequestHeaderSize(), compliance);
                parser.setHeaderCacheSize(jettys.getHeaderCacheSize());
                parser.setHeaderCacheCaseSensitive(jettys.isHeaderCacheCaseSensitive());
                return parser;
            }
        };
        connection.setTransferEncodingChunkMaxLength(getTransferEncodingChunkMaxLength());
        return configure(connection, connector, endPoint);
    }
}
