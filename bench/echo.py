"""The floor under every RPC: a nameko service that does nothing but answer.

The bench starts it beside the stack, on the same broker and virtual host, as `nameko run`
starts the real services; a call to `echo` costs what any call costs (serialising, the
broker both ways, a worker) and nothing of ours.
"""

from nameko.rpc import rpc


class EchoService:
    name = "bench_echo"

    @rpc
    def echo(self, *args):
        # The arguments come back, so the answer is as large as the question.
        return args
