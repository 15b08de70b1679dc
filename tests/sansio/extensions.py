"""Small extensions for tests of negotiation and of frame transformations."""

from websockets.exceptions import NegotiationError
from websockets.extensions.base import (
    ClientExtensionFactory,
    Extension,
    ServerExtensionFactory,
)


class Rsv2Extension(Extension):
    """Reverses payloads and marks frames with RSV2."""

    name = "x-rsv2"

    def decode(self, frame, *, max_size=None):
        assert frame.rsv2
        return frame._replace(data=frame.data[::-1], rsv2=False)

    def encode(self, frame):
        return frame._replace(data=frame.data[::-1], rsv2=True)

    def __eq__(self, other):
        return isinstance(other, Rsv2Extension)


class ClientRsv2Factory(ClientExtensionFactory):
    name = "x-rsv2"

    def get_request_params(self):
        return []

    def process_response_params(self, params, accepted_extensions):
        if params:
            raise NegotiationError("unexpected parameters")
        return Rsv2Extension()


class ServerRsv2Factory(ServerExtensionFactory):
    name = "x-rsv2"

    def process_request_params(self, params, accepted_extensions):
        if params:
            raise NegotiationError("unexpected parameters")
        return [], Rsv2Extension()
