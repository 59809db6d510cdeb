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
