"""Answers every request with X-Queries: how many SQL statements it cost, so the load
generator can report queries per request from outside the server."""
from django.db import connection


def count_queries(get_response):
    def middleware(request):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = get_response(request)
        response["X-Queries"] = str(count)
        return response

    return middleware
