using System;
using System.Text.Json;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Strait.RunsApi.Data.Migrations
{
    /// <inheritdoc />
    public partial class JobVersions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "job_versions",
                schema: "runs",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    job_id = table.Column<Guid>(type: "uuid", nullable: false),
                    project_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    version_id = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    definition = table.Column<JsonDocument>(type: "jsonb", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_job_versions", x => x.id);
                    table.ForeignKey(
                        name: "fk_job_versions_jobs_job_id",
                        column: x => x.job_id,
                        principalSchema: "runs",
                        principalTable: "jobs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_job_versions_job_id_version",
                schema: "runs",
                table: "job_versions",
                columns: new[] { "job_id", "version" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_job_versions_version_id",
                schema: "runs",
                table: "job_versions",
                column: "version_id",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "job_versions",
                schema: "runs");
        }
    }
}
