{{- define "vmafx-node.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "vmafx-node.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "vmafx-node.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{ include "vmafx-node.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "vmafx-node.selectorLabels" -}}
app.kubernetes.io/name: {{ include "vmafx-node.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* The storage mode the node runs: the bypass reads through the mount. */}}
{{- define "vmafx-node.storageMode" -}}
{{- if .Values.bypass.enabled -}}mount{{- else -}}{{ .Values.storage.mode }}{{- end -}}
{{- end -}}

{{/* Whether the pod mounts FUSE file systems (mount, auto, or the bypass). */}}
{{- define "vmafx-node.fuse" -}}
{{- $mode := include "vmafx-node.storageMode" . -}}
{{- if or (eq $mode "mount") (eq $mode "auto") -}}true{{- end -}}
{{- end -}}

{{- define "vmafx-node.tokenSecret" -}}
{{- if .Values.node.token.existingSecret -}}{{ .Values.node.token.existingSecret }}{{- else -}}{{ include "vmafx-node.fullname" . }}-token{{- end -}}
{{- end -}}

{{- define "vmafx-node.rcloneSecret" -}}
{{- if .Values.storage.rclone.config.existingSecret -}}{{ .Values.storage.rclone.config.existingSecret }}{{- else -}}{{ include "vmafx-node.fullname" . }}-rclone{{- end -}}
{{- end -}}

{{- define "vmafx-node.hasRcloneConfig" -}}
{{- if or .Values.storage.rclone.config.existingSecret .Values.storage.rclone.config.content -}}true{{- end -}}
{{- end -}}

{{- define "vmafx-node.jobStoreSecret" -}}
{{- if .Values.jobStore.existingSecret -}}{{ .Values.jobStore.existingSecret }}{{- else -}}{{ include "vmafx-node.fullname" . }}-job-store{{- end -}}
{{- end -}}

{{/* Whether an autoscaler owns the replica count. */}}
{{- define "vmafx-node.autoscaled" -}}
{{- if or .Values.autoscaling.keda.enabled .Values.autoscaling.hpa.enabled -}}true{{- end -}}
{{- end -}}

{{/* Settings that contradict each other fail the render with one line, before anything reaches the cluster. */}}
{{- define "vmafx-node.checks" -}}
{{- if .Values.jobStore.enabled }}
{{- if not (or .Values.jobStore.existingSecret (and .Values.jobStore.url .Values.jobStore.password)) }}
{{- fail "jobStore.enabled needs jobStore.existingSecret (keys url and password) or both jobStore.url and jobStore.password" }}
{{- end }}
{{- if and .Values.jobStore.url (not (hasPrefix "postgresql://" .Values.jobStore.url)) }}
{{- fail "jobStore.url must be a postgresql:// URL" }}
{{- end }}
{{- if and .Values.jobStore.url (contains ":" (default "" (urlParse .Values.jobStore.url).userinfo)) }}
{{- fail "jobStore.url must not carry the password (it goes in jobStore.password, mounted as a file)" }}
{{- end }}
{{- end }}
{{- if and .Values.autoscaling.keda.enabled .Values.autoscaling.hpa.enabled }}
{{- fail "autoscaling.keda.enabled and autoscaling.hpa.enabled exclude each other: KEDA makes its own HorizontalPodAutoscaler" }}
{{- end }}
{{- if and .Values.autoscaling.keda.enabled (not .Values.jobStore.enabled) }}
{{- fail "autoscaling.keda.enabled needs jobStore.enabled: the trigger counts the job store's queued jobs" }}
{{- end }}
{{- if and .Values.autoscaling.hpa.enabled (not (dig "requests" "cpu" "" .Values.resources)) }}
{{- fail "autoscaling.hpa.enabled needs resources.requests.cpu: CPU utilization is measured against the request" }}
{{- end }}
{{- end -}}
