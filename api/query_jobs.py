"""A query job answered over HTTP: ``/sparql`` and ``/queries/{name}`` answer through here.

The job (the query text, its bound parameters, the format, the dataset) goes to the
app's :class:`~kg.query_runner.QueryRunner`, which checks, queues and evaluates it
(plan, collect, serialize: in a worker process, or in this one for in-memory and
remote stores); this module only turns its output into a response.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from gbkg.kg.query_runner import QueryRunner
from gbkg.kg.sparql import QueryJob

#: Sent with ``true`` when an answer was cut at ``GBKG_MAX_RESULTS`` (the body stays standard).
TRUNCATED_HEADER = "X-GBKG-Truncated"
#: The result limit, sent with the truncation signal.
LIMIT_HEADER = "X-GBKG-Result-Limit"


def client_of(request: Request) -> str:
    """Who sent the request, for the per-client limits: the peer address (behind a
    reverse proxy, the address the proxy reports: ``gbkg serve --forwarded-allow-ips``)."""
    return request.client.host if request.client is not None else "unknown"


async def run_job(request: Request, runner: QueryRunner, job: QueryJob) -> Response:
    """Run ``job``; the answer's bytes as the response."""
    output = await runner.run(job, client=client_of(request))
    headers = {"Vary": "Accept"}
    if output.truncated:
        headers[TRUNCATED_HEADER] = "true"
        headers[LIMIT_HEADER] = str(runner.max_results)
    return Response(output.body, media_type=job.format.content_type, headers=headers)
