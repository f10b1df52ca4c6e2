from django.contrib import admin

from .models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["created_at", "task", "status", "attempts", "sent_at", "finished_at"]
    list_filter = ["status", "task"]
    readonly_fields = [f.name for f in Job._meta.fields]
